//! The records a documentation team codes: who did what to whom, when, where, and how we know.
//!
//! Follows the HURIDOCS Events Standard Formats: an Event is made of Acts, each Act has exactly
//! one victim and one act type, and perpetrators are attached to acts through an Involvement.
//! Sources say how they know (ESF "source connection") and how reliable they are. Every act and
//! event cites the documents behind it, down to a character span of the extracted text.
//!
//! These types are the storage and interchange form (serde JSON). They are plain data: validation
//! against the vocabulary lives in `validate`, and nothing here touches disk.

use serde::{Deserialize, Serialize};

use crate::date::UncertainDate;
use crate::vocab::{List, Vocabulary};

/// Who may see a record. Ordered: `Public < Internal < Restricted`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidentiality {
    Public,
    #[default]
    Internal,
    Restricted,
}

impl Confidentiality {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidentiality::Public => "public",
            Confidentiality::Internal => "internal",
            Confidentiality::Restricted => "restricted",
        }
    }

    pub fn parse(s: &str) -> Option<Confidentiality> {
        match s.trim().to_lowercase().as_str() {
            "" | "internal" => Some(Confidentiality::Internal),
            "public" => Some(Confidentiality::Public),
            "restricted" => Some(Confidentiality::Restricted),
            _ => None,
        }
    }
}

/// The kinds of record, which are also the id prefixes (`act-…`, `per-…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Source,
    Document,
    Person,
    Place,
    Event,
    Act,
    Indicator,
    Provision,
}

impl Kind {
    pub const ALL: [Kind; 8] = [Kind::Source, Kind::Document, Kind::Person, Kind::Place, Kind::Event, Kind::Act, Kind::Indicator, Kind::Provision];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Source => "source",
            Kind::Document => "document",
            Kind::Person => "person",
            Kind::Place => "place",
            Kind::Event => "event",
            Kind::Act => "act",
            Kind::Indicator => "indicator",
            Kind::Provision => "provision",
        }
    }

    pub fn id_prefix(self) -> &'static str {
        match self {
            Kind::Source => "src",
            Kind::Document => "doc",
            Kind::Person => "per",
            Kind::Place => "plc",
            Kind::Event => "evt",
            Kind::Act => "act",
            Kind::Indicator => "ind",
            Kind::Provision => "law",
        }
    }

    /// Accepts singular or plural ("acts"), as users type both.
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_lowercase();
        let s = s.strip_suffix('s').unwrap_or(&s);
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind an id belongs to, read from its prefix.
    pub fn of_id(id: &str) -> Option<Kind> {
        let prefix = id.split('-').next()?;
        Kind::ALL.into_iter().find(|k| k.id_prefix() == prefix)
    }
}

/// What kind of body a source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Witness,
    Ngo,
    UnBody,
    Academic,
    Media,
    Government,
    Other,
}

impl SourceKind {
    pub fn parse(s: &str) -> Option<SourceKind> {
        Some(match s.trim().to_lowercase().replace(['-', ' '], "_").as_str() {
            "witness" | "testimony" => SourceKind::Witness,
            "ngo" => SourceKind::Ngo,
            "un" | "un_body" | "unbody" => SourceKind::UnBody,
            "academic" => SourceKind::Academic,
            "media" => SourceKind::Media,
            "government" => SourceKind::Government,
            "other" => SourceKind::Other,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Witness => "witness",
            SourceKind::Ngo => "ngo",
            SourceKind::UnBody => "un_body",
            SourceKind::Academic => "academic",
            SourceKind::Media => "media",
            SourceKind::Government => "government",
            SourceKind::Other => "other",
        }
    }
}

/// Who or what gave information.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: String,
    /// The only name a witness has outside the sealed identity table, e.g. `W-0042`.
    pub pseudonym: String,
    pub kind: SourceKind,
    /// The organisation that collected or published the information; the unit of "independent"
    /// when corroborating and of "list" when estimating.
    #[serde(default)]
    pub organisation: Option<String>,
    /// ESF list 19 code: how the source knows.
    #[serde(default)]
    pub connection: Option<String>,
    /// ESF list 42 code.
    #[serde(default)]
    pub reliability: Option<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub confidentiality: Confidentiality,
    #[serde(default)]
    pub synthetic: bool,
}

/// A witness's identifying details. Stored apart from the source, readable only with identity
/// clearance, never exported or written into the audit log in clear (only its hash is).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SealedIdentity {
    pub source: String,
    pub legal_name: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub notes: String,
}

impl Source {
    /// The unit of independence: the organisation, or the source itself when it has none. Two
    /// sources of one organisation do not corroborate each other, and form one list when
    /// estimating.
    pub fn independence_unit(&self) -> &str {
        self.organisation.as_deref().unwrap_or(&self.id)
    }
}

/// What an item of evidence is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    InterviewTranscript,
    Report,
    WebCapture,
    Audio,
    Image,
    Pdf,
    Video,
    /// A word-processor, spreadsheet or e-book file.
    Office,
    /// A mail message; its attachments are documents of their own (`attached_to`).
    Message,
    Other,
}

/// How a document's text was obtained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum TextOrigin {
    /// Read from the file itself (text, PDF text layer, office formats, mail).
    File,
    /// Recognised from the image of the page, with the engine's mean word confidence (0–100).
    Ocr { engine: String, confidence: f64, pages: u32 },
    /// A scan or photograph waiting for recognition (`girok ocr`, or the document page).
    OcrPending,
    /// Recognition ran and found nothing, or could not run; the reason is said.
    OcrFailed { reason: String },
}

/// That a document is a translation of another, by whom and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslationOf {
    pub original: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translator: Option<String>,
    /// When it was translated, as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// What an image, recording or video says about itself, recorded at intake with its hash. A
/// GPS position is not kept here: it can locate a witness, so the archive keeps it apart and
/// shows it only to readers cleared for restricted records (`location_sha256` ties it here).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaInfo {
    /// The container as read ("JPEG/EXIF", "WAV", "MP4 (isom)").
    pub container: String,
    /// When the device says it captured the image, as the device wrote it (no time zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured: Option<String>,
    /// Make and model of the camera or phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    /// Codecs of the tracks ("avc1 video 640×360", "mp4a audio", "PCM 16-bit mono 8000 Hz").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<String>,
    /// Whether the file carries a GPS position (kept apart, see above).
    #[serde(default)]
    pub has_location: bool,
}

/// A GPS position in decimal degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

/// An item of evidence. The original bytes live, encrypted, in the blob store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub title: String,
    pub kind: DocumentKind,
    /// Hex SHA-256 of the original bytes, taken at intake before anything else touches them.
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    #[serde(default)]
    pub original_name: String,
    /// RFC 3339 time of intake.
    pub received_at: String,
    #[serde(default)]
    pub received_from: Option<String>,
    #[serde(default)]
    pub received_by: String,
    #[serde(default)]
    pub language: Option<String>,
    /// Hex SHA-256 of the extracted text, so the text itself can be verified like a blob.
    #[serde(default)]
    pub text_sha256: Option<String>,
    #[serde(default)]
    pub text_chars: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_origin: Option<TextOrigin>,
    /// What intake could not do with the file, said at intake and on its page ("HWP files are
    /// stored but not yet read").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaInfo>,
    /// SHA-256 of the GPS position kept apart (see `MediaInfo`), so `verify` can check it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_sha256: Option<String>,
    /// The message this file came attached to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached_to: Option<String>,
    /// The document this one translates (its own language is `language`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation_of: Option<TranslationOf>,
    #[serde(default)]
    pub confidentiality: Confidentiality,
    #[serde(default)]
    pub synthetic: bool,
}

/// How a name is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Script {
    Hangul,
    #[serde(rename = "mccune_reischauer")]
    McCuneReischauer,
    RevisedRomanization,
    Other,
}

impl Script {
    pub fn parse(s: &str) -> Option<Script> {
        Some(match s.trim().to_lowercase().replace(['-', ' ', '–'], "_").as_str() {
            "hangul" | "ko" | "korean" => Script::Hangul,
            "mr" | "mccune_reischauer" => Script::McCuneReischauer,
            "rr" | "revised_romanization" => Script::RevisedRomanization,
            "other" | "latin" | "" => Script::Other,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Script::Hangul => "hangul",
            Script::McCuneReischauer => "mr",
            Script::RevisedRomanization => "rr",
            Script::Other => "other",
        }
    }

    /// Guesses the script of a name typed without a tag: Hangul is certain, romanizations are not.
    pub fn guess(text: &str) -> Script {
        if text.chars().any(crate::text::is_hangul) {
            Script::Hangul
        } else if text.chars().any(|c| matches!(c, 'ŏ' | 'ŭ' | 'Ŏ' | 'Ŭ' | '\'' | '’')) {
            Script::McCuneReischauer
        } else {
            Script::Other
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    pub text: String,
    pub script: Script,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
    Unknown,
}

impl Sex {
    pub fn parse(s: &str) -> Option<Sex> {
        Some(match s.trim().to_lowercase().as_str() {
            "m" | "male" | "남" | "남성" => Sex::Male,
            "f" | "female" | "여" | "여성" => Sex::Female,
            "" | "u" | "unknown" | "?" => Sex::Unknown,
            _ => return None,
        })
    }
}

/// A tie between two persons; "punished with the whole family" is coded through these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relationship {
    /// ESF list 21 code.
    pub kind: String,
    pub other: String,
}

/// A victim, perpetrator or witness.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub names: Vec<Name>,
    #[serde(default)]
    pub sex: Option<Sex>,
    #[serde(default)]
    pub birth: Option<UncertainDate>,
    /// Place id of origin.
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub relationships: Vec<Relationship>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub confidentiality: Confidentiality,
    #[serde(default)]
    pub synthetic: bool,
    /// Set when a reviewer accepted that this record is the same person as another one; the
    /// two records stay, so the decision can be undone and both sources remain visible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
}

/// Where a place sits in the gazetteer, including the detention-system categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    Country,
    Province,
    County,
    Town,
    /// 관리소, political prison camp.
    Kwanliso,
    /// 교화소, re-education (long-term prison) camp.
    Kyohwaso,
    /// 집결소, holding centre.
    Jipkyulso,
    /// 노동단련대, labour training unit.
    LabourTrainingUnit,
    /// 보위부 구류장, State Security detention centre.
    SecurityDetention,
    /// 보안서 구류장, police detention centre.
    PoliceDetention,
    OtherFacility,
    Other,
}

impl PlaceKind {
    pub const ALL: [PlaceKind; 12] = [
        PlaceKind::Country,
        PlaceKind::Province,
        PlaceKind::County,
        PlaceKind::Town,
        PlaceKind::Kwanliso,
        PlaceKind::Kyohwaso,
        PlaceKind::Jipkyulso,
        PlaceKind::LabourTrainingUnit,
        PlaceKind::SecurityDetention,
        PlaceKind::PoliceDetention,
        PlaceKind::OtherFacility,
        PlaceKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::Country => "country",
            PlaceKind::Province => "province",
            PlaceKind::County => "county",
            PlaceKind::Town => "town",
            PlaceKind::Kwanliso => "kwanliso",
            PlaceKind::Kyohwaso => "kyohwaso",
            PlaceKind::Jipkyulso => "jipkyulso",
            PlaceKind::LabourTrainingUnit => "labour_training_unit",
            PlaceKind::SecurityDetention => "security_detention",
            PlaceKind::PoliceDetention => "police_detention",
            PlaceKind::OtherFacility => "other_facility",
            PlaceKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PlaceKind::Kwanliso => "political prison camp (kwanliso, 관리소)",
            PlaceKind::Kyohwaso => "re-education camp (kyohwaso, 교화소)",
            PlaceKind::Jipkyulso => "holding centre (jipkyulso, 집결소)",
            PlaceKind::LabourTrainingUnit => "labour training unit (rodong danryeondae, 노동단련대)",
            PlaceKind::SecurityDetention => "State Security detention centre (보위부 구류장)",
            PlaceKind::PoliceDetention => "police detention centre (보안서 구류장)",
            other => other.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<PlaceKind> {
        let s = s.trim().to_lowercase().replace(['-', ' '], "_");
        let alias = match s.as_str() {
            "kwalliso" | "political_prison_camp" | "관리소" => "kwanliso",
            "re_education_camp" | "교화소" => "kyohwaso",
            "holding_centre" | "집결소" => "jipkyulso",
            "rodong_danryeondae" | "nodong_danryeondae" | "labour_training_camp" | "노동단련대" => "labour_training_unit",
            "bowibu" | "state_security_detention" => "security_detention",
            "police" | "anjeonbu" | "boanseo" => "police_detention",
            other => other,
        };
        PlaceKind::ALL.into_iter().find(|k| k.as_str() == alias)
    }

    pub fn is_facility(self) -> bool {
        !matches!(self, PlaceKind::Country | PlaceKind::Province | PlaceKind::County | PlaceKind::Town | PlaceKind::Other)
    }
}

/// A gazetteer entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_ko: Option<String>,
    pub kind: PlaceKind,
    /// The enclosing place; `None` only for countries.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub aliases: Vec<Name>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// Where the entry came from, e.g. "GeoNames 2044757".
    #[serde(default)]
    pub credit: String,
    #[serde(default)]
    pub confidentiality: Confidentiality,
    /// Whether outside agencies may go there: an area closed to them is where violations stay
    /// hidden (about a fifth of the land, in the reference briefing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
}

/// Outside agencies' access to a place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Open,
    /// Visits only under escort or by permission.
    Restricted,
    /// Closed to outside agencies.
    Closed,
}

impl Access {
    pub fn parse(s: &str) -> Option<Access> {
        Some(match s.trim().to_lowercase().as_str() {
            "open" => Access::Open,
            "restricted" => Access::Restricted,
            "closed" => Access::Closed,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Access::Open => "open",
            Access::Restricted => "restricted",
            Access::Closed => "closed",
        }
    }
}

/// A typed link from one event to another (ESF list 22: "which causes", "which follows", …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLink {
    /// ESF list 22 code.
    pub kind: String,
    pub event: String,
}

/// The passage of evidence behind a coded fact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub document: String,
    /// Character offsets `[start, end)` into the document's extracted text.
    #[serde(default)]
    pub span: Option<(u64, u64)>,
}

impl Citation {
    /// Parses `doc-id` or `doc-id@start-end`, the form used in CSV files.
    pub fn parse(s: &str) -> Result<Citation, String> {
        let s = s.trim();
        match s.split_once('@') {
            None => Ok(Citation { document: s.to_string(), span: None }),
            Some((doc, span)) => {
                let (a, b) = span.split_once('-').ok_or_else(|| format!("citation span {span:?} is not start-end"))?;
                let a: u64 = a.trim().parse().map_err(|_| format!("citation span start {a:?} is not a number"))?;
                let b: u64 = b.trim().parse().map_err(|_| format!("citation span end {b:?} is not a number"))?;
                if b <= a {
                    return Err(format!("citation span {a}-{b} is empty or reversed"));
                }
                Ok(Citation { document: doc.trim().to_string(), span: Some((a, b)) })
            }
        }
    }

    pub fn to_cell(&self) -> String {
        match self.span {
            None => self.document.clone(),
            Some((a, b)) => format!("{}@{a}-{b}", self.document),
        }
    }
}

/// Something that happened, made of acts; events chain ("arrest → return → interrogation → camp").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub date: Option<UncertainDate>,
    /// The event this one follows in a chain of events.
    #[serde(default)]
    pub follows: Option<String>,
    /// Other typed links to events (caused by, part of, in parallel with …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<EventLink>,
    /// The event this one was found to describe too (another testimony of the same happening),
    /// set when a reviewer accepts the merge; its reports then count for that event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
    /// The provisions of national law the event was carried out under (a public execution for
    /// an offence the Criminal Code defines), as provision records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisions: Vec<String>,
    #[serde(default)]
    pub citations: Vec<Citation>,
    #[serde(default)]
    pub confidentiality: Confidentiality,
    #[serde(default)]
    pub synthetic: bool,
}

/// A perpetrator's part in an act.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Involvement {
    pub perpetrator: String,
    /// ESF list 18 code.
    #[serde(default)]
    pub degree: Option<String>,
}

/// One act against one victim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Act {
    pub id: String,
    pub event: String,
    pub victim: String,
    /// ESF list 4 code (or a Girok `DP` extension).
    pub act_type: String,
    #[serde(default)]
    pub place: Option<String>,
    /// When the act began (or happened, for an act of a moment).
    #[serde(default)]
    pub date: Option<UncertainDate>,
    /// When an act that lasted ended ("three months to three years of forced labour"), so its
    /// duration can be counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<UncertainDate>,
    /// ESF list 25 code: the victim's status after the act (dead, still held, released …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub victim_status: Option<String>,
    #[serde(default)]
    pub perpetrators: Vec<Involvement>,
    /// The source reporting this act.
    #[serde(default)]
    pub source: Option<String>,
    /// ESF list 19 code: how this source knows of this act.
    #[serde(default)]
    pub connection: Option<String>,
    /// ESF list 42 code.
    #[serde(default)]
    pub reliability: Option<String>,
    #[serde(default)]
    pub description: String,
    /// The provisions of national law the victim was charged or punished under, as provision
    /// records: what a briefing's section on the law counts acts by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisions: Vec<String>,
    #[serde(default)]
    pub citations: Vec<Citation>,
    #[serde(default)]
    pub confidentiality: Confidentiality,
    #[serde(default)]
    pub synthetic: bool,
}

/// A statistical series that a briefing quotes, traced to its source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub values: Vec<IndicatorValue>,
    /// Bibliographic reference of the series, as it should appear under a chart.
    pub source: String,
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub confidentiality: Confidentiality,
    #[serde(default)]
    pub synthetic: bool,
}

/// One value of a series, for a year or a period, with where it comes from: a briefing quotes
/// each figure with its source ("27 per thousand in 1993 … 48 in 1999, according to …").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndicatorValue {
    pub year: i32,
    /// The last year of a period the value covers (`None`: the year alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_year: Option<i32>,
    pub value: f64,
    #[serde(default)]
    pub place: Option<String>,
    /// The source record this value comes from, when it differs from the series' own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The passage it is quoted from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<Citation>,
}

/// An article of national law: what acts were charged or punished under, quoted by briefings
/// with its text in both languages where that text is public ("essentially political offences
/// … couched in terms so broad …", as the Human Rights Committee said of four Criminal Code
/// articles carrying the death penalty).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provision {
    pub id: String,
    /// The instrument and its version, e.g. "Criminal Code (2004)".
    pub instrument: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument_ko: Option<String>,
    /// The article as the instrument numbers it ("44", "60-1").
    pub article: String,
    /// What the article is about, as commonly cited ("conspiracy to overthrow the state").
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_ko: Option<String>,
    /// The text in English and in Korean, where public; empty where it is not.
    #[serde(default)]
    pub text_en: String,
    #[serde(default)]
    pub text_ko: String,
    /// The heaviest penalty it provides for, as the text says ("death penalty").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_penalty: Option<String>,
    /// Where the text comes from, as a briefing cites it.
    #[serde(default)]
    pub source: String,
    /// The document and passage the text is quoted from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<Citation>,
    /// What treaty bodies or others have said of it, quoted with its source.
    #[serde(default)]
    pub commentary: String,
    #[serde(default)]
    pub confidentiality: Confidentiality,
    #[serde(default)]
    pub synthetic: bool,
}

impl Provision {
    /// "Criminal Code (2004), art. 44".
    pub fn label(&self) -> String {
        format!("{}, art. {}", self.instrument, self.article)
    }

    /// The label in a reader's language: "조선민주주의인민공화국 형법 (1999) 제44조" in Korean.
    pub fn label_in(&self, ko: bool) -> String {
        if ko {
            format!("{} 제{}조", self.instrument_ko.as_deref().unwrap_or(&self.instrument), self.article)
        } else {
            self.label()
        }
    }

    /// The title in a reader's language, the English one where no Korean is recorded.
    pub fn title_in(&self, ko: bool) -> String {
        match (&self.title_ko, ko) {
            (Some(t), true) => t.clone(),
            _ => self.title.clone(),
        }
    }
}

/// Any record, tagged by kind in its JSON form (`"record": "act"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Source(Source),
    Document(Document),
    Person(Person),
    Place(Place),
    Event(Event),
    Act(Act),
    Indicator(Indicator),
    Provision(Provision),
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Source(_) => Kind::Source,
            Record::Document(_) => Kind::Document,
            Record::Person(_) => Kind::Person,
            Record::Place(_) => Kind::Place,
            Record::Event(_) => Kind::Event,
            Record::Act(_) => Kind::Act,
            Record::Indicator(_) => Kind::Indicator,
            Record::Provision(_) => Kind::Provision,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Source(r) => &r.id,
            Record::Document(r) => &r.id,
            Record::Person(r) => &r.id,
            Record::Place(r) => &r.id,
            Record::Event(r) => &r.id,
            Record::Act(r) => &r.id,
            Record::Indicator(r) => &r.id,
            Record::Provision(r) => &r.id,
        }
    }

    pub fn set_id(&mut self, id: String) {
        match self {
            Record::Source(r) => r.id = id,
            Record::Document(r) => r.id = id,
            Record::Person(r) => r.id = id,
            Record::Place(r) => r.id = id,
            Record::Event(r) => r.id = id,
            Record::Act(r) => r.id = id,
            Record::Indicator(r) => r.id = id,
            Record::Provision(r) => r.id = id,
        }
    }

    pub fn confidentiality(&self) -> Confidentiality {
        match self {
            Record::Source(r) => r.confidentiality,
            Record::Document(r) => r.confidentiality,
            Record::Person(r) => r.confidentiality,
            Record::Place(r) => r.confidentiality,
            Record::Event(r) => r.confidentiality,
            Record::Act(r) => r.confidentiality,
            Record::Indicator(r) => r.confidentiality,
            Record::Provision(r) => r.confidentiality,
        }
    }

    /// A one-line human label.
    pub fn title(&self) -> String {
        match self {
            Record::Source(r) => format!("{} ({})", r.pseudonym, r.kind.as_str()),
            Record::Document(r) => r.title.clone(),
            Record::Person(r) => r.names.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join(" / "),
            Record::Place(r) => match &r.name_ko {
                Some(ko) => format!("{} ({ko})", r.name),
                None => r.name.clone(),
            },
            Record::Event(r) => r.title.clone(),
            Record::Act(r) => {
                let term = Vocabulary::builtin().get(List::ActTypes, &r.act_type).map(|t| t.en.clone()).unwrap_or_else(|| r.act_type.clone());
                format!("{term} against {}", r.victim)
            }
            Record::Indicator(r) => format!("{} ({})", r.name, r.unit),
            Record::Provision(r) => match r.title.is_empty() {
                true => r.label(),
                false => format!("{}: {}", r.label(), r.title),
            },
        }
    }

    /// Text the full-text index should see, beyond the title.
    pub fn searchable_text(&self) -> String {
        match self {
            Record::Source(r) => format!("{} {}", r.organisation.clone().unwrap_or_default(), r.notes),
            Record::Document(_) => String::new(),
            Record::Person(r) => r.notes.clone(),
            Record::Place(r) => r.aliases.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" "),
            Record::Event(r) => r.description.clone(),
            Record::Act(r) => {
                // The Korean label of the act type, so "고문" finds acts coded as torture.
                let ko = Vocabulary::builtin().get(List::ActTypes, &r.act_type).and_then(|t| t.ko.clone()).unwrap_or_default();
                if ko.is_empty() {
                    r.description.clone()
                } else {
                    format!("{}\n{ko}", r.description)
                }
            }
            Record::Indicator(r) => r.source.clone(),
            Record::Provision(r) => {
                [r.instrument_ko.as_deref().unwrap_or(""), r.title_ko.as_deref().unwrap_or(""), &r.text_en, &r.text_ko, &r.commentary].join("\n")
            }
        }
    }

    /// Ids this record points at, with the field name, for referential checks.
    pub fn references(&self) -> Vec<(&'static str, &str)> {
        let mut out: Vec<(&'static str, &str)> = Vec::new();
        match self {
            Record::Source(_) => {}
            Record::Document(r) => {
                out.extend(r.received_from.as_deref().map(|s| ("received_from", s)));
                out.extend(r.attached_to.as_deref().map(|s| ("attached_to", s)));
                out.extend(r.translation_of.as_ref().map(|t| ("translation_of", t.original.as_str())));
            }
            Record::Person(r) => {
                out.extend(r.origin.as_deref().map(|s| ("origin", s)));
                out.extend(r.same_as.as_deref().map(|s| ("same_as", s)));
                out.extend(r.relationships.iter().map(|x| ("relationships", x.other.as_str())));
            }
            Record::Place(r) => out.extend(r.parent.as_deref().map(|s| ("parent", s))),
            Record::Event(r) => {
                out.extend(r.place.as_deref().map(|s| ("place", s)));
                out.extend(r.follows.as_deref().map(|s| ("follows", s)));
                out.extend(r.links.iter().map(|l| ("links", l.event.as_str())));
                out.extend(r.same_as.as_deref().map(|s| ("same_as", s)));
                out.extend(r.provisions.iter().map(|p| ("provisions", p.as_str())));
                out.extend(r.citations.iter().map(|c| ("citations", c.document.as_str())));
            }
            Record::Act(r) => {
                out.push(("event", &r.event));
                out.push(("victim", &r.victim));
                out.extend(r.place.as_deref().map(|s| ("place", s)));
                out.extend(r.source.as_deref().map(|s| ("source", s)));
                out.extend(r.perpetrators.iter().map(|p| ("perpetrators", p.perpetrator.as_str())));
                out.extend(r.provisions.iter().map(|p| ("provisions", p.as_str())));
                out.extend(r.citations.iter().map(|c| ("citations", c.document.as_str())));
            }
            Record::Indicator(r) => {
                out.extend(r.document.as_deref().map(|s| ("document", s)));
                for v in &r.values {
                    out.extend(v.place.as_deref().map(|s| ("values", s)));
                    out.extend(v.source.as_deref().map(|s| ("values", s)));
                    out.extend(v.citation.as_ref().map(|c| ("values", c.document.as_str())));
                }
            }
            Record::Provision(r) => out.extend(r.citation.as_ref().map(|c| ("citation", c.document.as_str()))),
        }
        out
    }

    /// Checks codes against the vocabulary. Referential integrity needs the store and is checked there.
    pub fn validate(&self, vocab: &Vocabulary) -> Result<(), String> {
        let provisions: &[String] = match self {
            Record::Act(a) => &a.provisions,
            Record::Event(e) => &e.provisions,
            _ => &[],
        };
        if let Some(p) = provisions.iter().find(|p| Kind::of_id(p) != Some(Kind::Provision)) {
            return Err(format!("provisions: {p:?} is not a provision id (law-…)"));
        }
        let check = |list: List, code: &Option<String>, field: &str| -> Result<(), String> {
            match code {
                Some(c) if vocab.get(list, c).is_none() => Err(format!("{field}: unknown {} code {c:?}", list.label())),
                _ => Ok(()),
            }
        };
        match self {
            Record::Source(r) => {
                check(List::SourceConnection, &r.connection, "connection")?;
                check(List::Reliability, &r.reliability, "reliability")?;
                if r.pseudonym.trim().is_empty() {
                    return Err("pseudonym: a source needs a pseudonym code".into());
                }
            }
            Record::Person(r) => {
                if r.relationships.iter().any(|rel| rel.other == r.id) {
                    return Err("relationships: a person cannot be related to themselves".into());
                }
                if r.names.is_empty() || r.names.iter().any(|n| n.text.trim().is_empty()) {
                    return Err("names: a person needs at least one name, and no name may be empty (use \"unknown\" if need be)".into());
                }
                for rel in &r.relationships {
                    check(List::Relationships, &Some(rel.kind.clone()), "relationships")?;
                }
            }
            Record::Act(r) => {
                check(List::ActTypes, &Some(r.act_type.clone()), "act_type")?;
                check(List::VictimStatus, &r.victim_status, "victim_status")?;
                if let (Some(start), Some(end)) = (&r.date, &r.end) {
                    if let (Some(s), Some(e)) = (start.earliest, end.latest) {
                        if e < s {
                            return Err(format!("end: the act cannot end ({}) before it began ({})", end.text, start.text));
                        }
                    }
                }
                check(List::SourceConnection, &r.connection, "connection")?;
                check(List::Reliability, &r.reliability, "reliability")?;
                for p in &r.perpetrators {
                    check(List::Involvement, &p.degree, "perpetrators")?;
                }
            }
            Record::Place(r) => {
                if let (Some(lat), Some(lon)) = (r.lat, r.lon) {
                    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                        return Err(format!("coordinates {lat},{lon} are off the globe"));
                    }
                }
            }
            Record::Document(r) => {
                if let Some(t) = &r.translation_of {
                    if t.original == r.id || Kind::of_id(&t.original) != Some(Kind::Document) {
                        return Err(format!("translation_of: {:?} is not another document", t.original));
                    }
                }
                if r.sha256.len() != 64 || !r.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(format!("sha256: {:?} is not a hex SHA-256", r.sha256));
                }
            }
            Record::Event(r) => {
                for l in &r.links {
                    check(List::ChainOfEvents, &Some(l.kind.clone()), "links")?;
                    if l.event == r.id {
                        return Err("links: an event cannot be linked to itself".into());
                    }
                }
                if r.follows.as_deref() == Some(r.id.as_str()) {
                    return Err("follows: an event cannot follow itself".into());
                }
                if r.same_as.as_deref() == Some(r.id.as_str()) {
                    return Err("same_as: an event cannot be merged into itself".into());
                }
            }
            Record::Indicator(r) => {
                if r.name.trim().is_empty() {
                    return Err("name: a series needs a name".into());
                }
                for v in &r.values {
                    if v.to_year.is_some_and(|t| t < v.year) {
                        return Err(format!("values: the period {}–{} ends before it begins", v.year, v.to_year.unwrap_or(v.year)));
                    }
                    if !v.value.is_finite() {
                        return Err(format!("values: the value for {} is not a number", v.year));
                    }
                }
            }
            Record::Provision(r) => {
                if r.instrument.trim().is_empty() {
                    return Err("instrument: say which law or code the provision is in".into());
                }
                if r.article.trim().is_empty() {
                    return Err("article: say which article (\"44\", \"60-1\")".into());
                }
            }
        }
        Ok(())
    }
}

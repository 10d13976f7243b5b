//! The interface in English and Korean: one message table, and the choice of language per request.
//!
//! Templates call `t("key")`; the language comes from the `girok_lang` cookie (set by `/lang`), or
//! else from the browser's Accept-Language. Record content is never translated: testimony stays in
//! the words it was given in.

use axum::http::{header, HeaderMap};

pub(crate) const COOKIE: &str = "girok_lang";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }

    /// The cookie wins; then the first Accept-Language entry; then English.
    pub(crate) fn of_request(headers: &HeaderMap) -> Lang {
        crate::session::cookie(headers, COOKIE).and_then(|v| Lang::parse(&v)).unwrap_or_else(|| {
            let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
            if accept.trim_start().to_ascii_lowercase().starts_with("ko") {
                Lang::Ko
            } else {
                Lang::En
            }
        })
    }
}

/// (key, English, Korean).
const MESSAGES: &[(&str, &str, &str)] = &[
    ("nav.dashboard", "Dashboard", "대시보드"),
    ("nav.records", "Records", "기록"),
    ("nav.search", "Search", "검색"),
    ("nav.map", "Map", "지도"),
    ("nav.estimate", "Estimate", "추정"),
    ("nav.publish", "Publish", "공개 자료"),
    ("pub.title", "Briefing for publication", "공개용 브리핑"),
    ("pub.level", "Records counted", "집계할 기록"),
    ("pub.lang", "Language of the briefing", "브리핑 언어"),
    ("pub.min_cell", "Withhold counts below", "다음 미만 수치 비공개"),
    ("pub.make", "Make briefing", "브리핑 만들기"),
    ("pub.explain", "Acts by type, year and province, and events by independent corroboration. Small counts can point at a witness: they are withheld, with a second count where one could be worked out from the total. No names or identifiers leave the archive. The same archive state and settings always give the same files; the manifest lists their SHA-256.", "유형·연도·도별 행위와 독립적 확인 정도별 사건을 집계합니다. 작은 수치는 증언자를 드러낼 수 있어 비공개로 하며, 합계로 역산할 수 있으면 다른 수치도 함께 비공개로 합니다. 이름이나 식별자는 포함되지 않습니다. 같은 기록 보관소 상태와 설정은 언제나 같은 파일을 만들며, 목록 파일에 SHA-256이 있습니다."),
    ("pub.not_public", "These counts include records that are not public: not for outside publication.", "공개되지 않은 기록이 포함된 집계입니다: 외부 공개용이 아닙니다."),
    ("pub.files", "Files", "파일"),
    ("pub.file", "File", "파일"),
    ("pub.withheld", "Withheld (small + to protect them)", "비공개 (작은 수치 + 보호용)"),
    ("pub.state", "Archive state", "기록 보관소 상태"),
    ("pub.saved", "Saved briefings", "저장된 브리핑"),
    ("pub.new", "New briefing named", "새 브리핑 이름"),
    ("pub.open", "edit", "편집"),
    ("pub.run", "publish", "발행"),
    ("brief.edit", "Briefing", "브리핑"),
    ("brief.saved", "Saved: a new version is in the audit chain.", "저장했습니다: 새 판이 감사 기록에 남았습니다."),
    ("brief.save", "Save", "저장"),
    ("brief.preview", "Preview", "미리 보기"),
    ("brief.publish", "Publish (files)", "발행 (파일)"),
    ("brief.explain", "TOML: name, title, lang (en or ko), level, min_cell, indicators, estimates (act types), and [[sections]] with heading, kind (narrative or recommendations) and text in Markdown (headings, emphasis, lists, links; no HTML). Cite records as [[evt-…]]; a record above the briefing's level, a person or a source stops the save.", "TOML: name, title, lang(en 또는 ko), level, min_cell, indicators, estimates(행위 유형), 그리고 heading, kind(narrative 또는 recommendations), Markdown text(제목·강조·목록·링크, HTML 불가)를 가진 [[sections]]. 기록은 [[evt-…]]로 인용합니다. 브리핑 수준보다 높은 기록, 사람, 출처를 인용하면 저장되지 않습니다."),
    ("brief.add_rec", "Add a recommendation", "권고 추가"),
    ("brief.to", "To whom", "대상"),
    ("brief.what", "What", "내용"),
    ("brief.when", "By when", "시한"),
    ("brief.add", "Add", "추가"),
    ("conf.public", "public", "공개"),
    ("conf.internal", "internal", "내부"),
    ("conf.restricted", "restricted", "제한"),
    ("nav.review", "Review", "검토"),
    ("nav.intake", "Intake", "자료 접수"),
    ("nav.audit", "Audit", "감사 기록"),
    ("nav.accounts", "Accounts", "계정"),
    ("nav.logout", "Log out", "로그아웃"),
    ("nav.account", "My account", "내 계정"),
    ("login.title", "Log in", "로그인"),
    ("login.name", "Name", "이름"),
    ("login.password", "Password", "비밀번호"),
    ("dash.title", "Archive", "기록 보관소"),
    ("dash.by_type", "Acts by type", "행위 유형별"),
    ("dash.by_year", "Acts by year", "연도별"),
    ("dash.by_province", "Acts by province", "도별"),
    ("dash.by_facility", "Acts by facility", "시설별"),
    ("dash.undated", "acts with no date or a date spanning several years are not in this chart", "날짜가 없거나 여러 해에 걸친 행위는 이 도표에 없습니다"),
    ("dash.recent", "Recent intake", "최근 접수"),
    ("dash.review", "Linkage review", "연계 검토"),
    ("dash.corroboration", "Corroboration of events", "사건 교차 확인"),
    ("dash.corroborated", "reported by two or more independent organisations", "둘 이상의 독립 기관이 보고"),
    ("dash.single", "reported by one organisation only", "한 기관만 보고"),
    ("dash.unsourced", "no attributed source", "출처 미지정"),
    ("dash.open", "open", "대기"),
    ("dash.undone", "undone", "취소됨"),
    ("dash.accepted", "accepted", "승인"),
    ("dash.rejected", "rejected", "거부"),
    ("kind.event", "Events", "사건"),
    ("kind.act", "Acts", "행위"),
    ("kind.person", "Persons", "인물"),
    ("kind.source", "Sources", "출처"),
    ("kind.place", "Places", "장소"),
    ("kind.document", "Documents", "문서"),
    ("kind.indicator", "Indicators", "지표"),
    ("kind.provision", "Provisions of law", "법 조항"),
    ("doc.notice", "About this file:", "이 파일에 대해:"),
    ("doc.original_passages", "Passages of the originals these translations render", "번역이 옮긴 원문 구절"),
    ("doc.translation_of", "A translation of", "다음 문서의 번역:"),
    ("doc.translated_as", "Translated as", "번역본:"),
    ("doc.no_text", "No text was read from this file.", "이 파일에서 읽은 텍스트가 없습니다."),
    ("doc.ocr", "Recognise its text now (OCR, Korean and English)", "지금 텍스트 인식 (OCR, 한국어·영어)"),
    ("doc.origin", "Text from", "텍스트 출처"),
    ("doc.origin_file", "the file itself", "파일 자체"),
    ("doc.origin_pending", "OCR, pending", "OCR 대기 중"),
    ("doc.origin_failed", "OCR found no text", "OCR이 텍스트를 찾지 못함"),
    ("doc.container", "Format", "형식"),
    ("doc.captured", "Captured (device clock)", "촬영 시각 (기기 시계)"),
    ("doc.device", "Device", "기기"),
    ("doc.size", "Size", "크기"),
    ("doc.duration", "Duration", "길이"),
    ("doc.track", "Track", "트랙"),
    ("doc.location_restricted", "shown to restricted-level readers only: it can locate a witness", "제한 등급 열람자에게만 표시: 증언자의 위치를 드러낼 수 있습니다"),
    ("doc.location_hidden", "the file carries a position, shown only to restricted-level readers", "위치 정보가 있으나 제한 등급 열람자에게만 표시됩니다"),
    ("list.filter", "Filter", "필터"),
    ("list.title", "Title contains", "제목 포함"),
    ("list.act_type", "Act type", "행위 유형"),
    ("list.place", "Place", "장소"),
    ("list.from", "From year", "시작 연도"),
    ("list.to", "To year", "끝 연도"),
    ("list.source", "Source", "출처"),
    ("list.sort", "Sort", "정렬"),
    ("list.sort_title", "Title", "제목"),
    ("list.sort_date", "Date, oldest first", "날짜 (오래된 순)"),
    ("list.sort_date_desc", "Date, newest first", "날짜 (최신 순)"),
    ("list.total", "records match", "건 일치"),
    ("list.prev", "Previous", "이전"),
    ("list.next", "Next", "다음"),
    ("list.none", "No records match.", "일치하는 기록이 없습니다."),
    ("search.button", "Search", "검색"),
    ("search.none", "No results.", "결과가 없습니다."),
    ("search.year", "Year", "연도"),
    ("search.kind", "Kind", "종류"),
    ("search.any", "any", "전체"),
    ("record.history", "History", "이력"),
    ("edit.version", "version", "버전"),
    ("edit.retired", "Retired: hidden from lists, counts, search and briefings, and kept with its whole history.", "폐기됨: 목록·집계·검색·보고서에서 숨겨지며 모든 이력과 함께 보존됩니다."),
    ("edit.reason", "reason", "사유"),
    ("edit.reason_hint", "needed to change confidentiality", "기밀 등급을 바꿀 때 필요"),
    ("edit.restore", "Restore", "복원"),
    ("edit.title", "Correct this record", "이 기록 수정"),
    ("edit.save", "Save", "저장"),
    ("edit.help", "Dates as the witness said them (winter 1997, 1997년 3월); act types and other terms by code or English or Korean label; places by name; names as hangul:김철수|mr:Kim Ch'ŏl-su; lists as JSON.", "날짜는 증언 그대로 (1997년 겨울, 1997년 3월); 행위 유형 등은 코드나 영어·한국어 이름으로; 장소는 이름으로; 이름은 hangul:김철수|mr:Kim Ch'ŏl-su 처럼; 목록은 JSON으로."),
    ("edit.retire", "Retire", "폐기"),
    ("edit.retire_help", "Nothing is deleted; an admin can restore it.", "아무것도 삭제되지 않으며 관리자가 복원할 수 있습니다."),
    ("seal.title", "Sealed identity of the witness", "증인 신원 봉인"),
    ("seal.legal_name", "Name", "이름"),
    ("seal.contact", "Contact", "연락처"),
    ("seal.notes", "Notes (where interviewed, …)", "메모 (면담 장소 등)"),
    ("seal.button", "Seal", "봉인"),
    ("seal.help", "Stored apart from every other table, readable only with identity clearance, never exported; every viewing is audited.", "다른 모든 표와 따로 저장되며 신원 열람 권한이 있어야만 볼 수 있고 내보내지지 않습니다. 모든 열람은 감사 기록에 남습니다."),
    ("new.title", "New record", "새 기록"),
    ("new.create", "Create", "만들기"),
    ("record.linked", "Linked records", "연결된 기록"),
    ("record.acts_here", "Acts at this place", "이 장소의 행위"),
    ("record.referenced_by", "Referenced by", "참조하는 기록"),
    ("record.identity", "Sealed identity of this witness", "이 증인의 봉인된 신원"),
    ("record.identity_logged", "Every viewing is recorded in the audit log.", "열람할 때마다 감사 기록에 남습니다."),
    ("record.reveal", "Show the sealed identity", "봉인된 신원 보기"),
    ("record.reported_by", "Reported by (organisations of the acts' sources)", "보고 기관 (행위 출처 기준)"),
    ("record.code", "Code the selected passage", "선택한 구절 코딩"),
    ("code.act_type", "Act type", "행위 유형"),
    ("code.victim", "Victim", "피해자"),
    ("code.perpetrator", "Perpetrator", "가해자"),
    ("code.degree", "Involvement", "가담 정도"),
    ("code.date", "Date (as remembered)", "날짜 (기억하는 대로)"),
    ("code.connection", "How the source knows", "출처의 인지 경위"),
    ("code.reliability", "Reliability", "신뢰도"),
    ("code.button", "Code", "코딩"),
    ("map.title", "Map of acts", "행위 지도"),
    ("map.note", "Shading: acts per province. Circles: facilities, sized by acts; a facility without its own coordinates is drawn at its town or province (approximate).", "음영: 도별 행위 수. 원: 시설 (행위 수에 비례). 좌표가 없는 시설은 소재 시·도 위치에 표시 (대략적)."),
    ("map.credit", "Outlines: Natural Earth (public domain).", "경계선: Natural Earth (퍼블릭 도메인)."),
    ("map.borrowed", "This place has no coordinates of its own: it is drawn at the town or province that contains it.", "이 장소는 자체 좌표가 없어 소속 시·도 위치에 표시됩니다."),
    ("est.title", "Estimate what stays hidden", "드러나지 않은 규모 추정"),
    ("est.act_type", "Act type", "행위 유형"),
    ("est.stratify", "Stratify by", "층화 기준"),
    ("est.none", "nothing", "없음"),
    ("est.method", "Method", "방법"),
    ("est.compare", "all methods side by side", "모든 방법 비교"),
    ("est.run", "Estimate", "추정"),
    ("est.lists", "Lists: one per source organisation", "목록: 출처 기관별"),
    ("est.observed", "observed", "관측"),
    ("est.estimate", "estimate", "추정치"),
    ("est.interval", "95% interval", "95% 구간"),
    ("est.model", "model", "모형"),
    ("est.warnings", "Warnings", "경고"),
    ("est.explain", "Estimates rest on assumptions (independent or modelled dependence between lists, a closed population). Methods agreeing is not evidence that they are right: victims whom every list is unlikely to reach bias every method downward alike. The band shows how far the total moves if the unrecorded are up to ψ times as many as the recorded patterns imply.", "추정은 가정(목록 간 독립 또는 모형화된 의존, 닫힌 모집단)에 기반합니다. 방법들이 일치한다고 해서 옳다는 증거는 아닙니다: 어느 명단도 닿기 어려운 피해자가 있으면 모든 방법이 똑같이 낮게 추정합니다. 민감도 범위는 기록되지 않은 사람이 기록된 유형이 시사하는 것보다 최대 ψ배 많을 때 전체가 얼마나 달라지는지 보여 줍니다."),
    ("est.band", "band if the unrecorded are harder to reach", "민감도 범위"),
    ("est.lower_bound", "A lower bound", "하한"),
    ("est.stratification", "Stratification", "층화"),
    ("intake.title", "Intake", "자료 접수"),
    ("intake.drop", "Drop files here, or choose them:", "파일을 여기에 끌어 놓거나 선택하십시오:"),
    ("intake.language", "Language", "언어"),
    ("intake.confidentiality", "Confidentiality", "공개 수준"),
    ("intake.upload", "Upload", "올리기"),
    ("intake.formats_read", "Text is read from: plain text and CSV (UTF-8 or EUC-KR), HTML, PDF (its text layer; scans by OCR), images by OCR in Korean and English (JPEG, PNG, TIFF, GIF, WebP), .docx, .odt, .xlsx, .ods, .rtf, EPUB, HWPX, and mail (.eml; attachments become documents of their own). Metadata is kept for photographs (EXIF: device, capture time, GPS shown only at the restricted level), WAV, MP3, MP4 and QuickTime (duration, codecs).", "텍스트를 읽는 형식: 일반 텍스트·CSV(UTF-8 또는 EUC-KR), HTML, PDF(텍스트 층; 스캔은 OCR), 이미지(JPEG, PNG, TIFF, GIF, WebP; 한국어·영어 OCR), .docx, .odt, .xlsx, .ods, .rtf, EPUB, HWPX, 전자우편(.eml; 첨부 파일은 별도 문서). 사진의 EXIF(기기, 촬영 시각; GPS는 제한 등급에서만 표시), WAV, MP3, MP4, QuickTime(길이, 코덱)의 메타데이터를 보관합니다."),
    ("intake.formats_stored", "Stored and hashed but not read: HWP 5 (.hwp; save as HWPX, DOCX or PDF), legacy .doc/.xls, .pptx, Ogg, FLAC, WebM and other files; the document page says so. Every original stays byte-identical.", "저장·해시만 하고 읽지 않는 형식: HWP 5(.hwp; HWPX, DOCX, PDF로 저장하십시오), 예전 .doc/.xls, .pptx, Ogg, FLAC, WebM 등. 문서 페이지에 그렇게 표시되며 모든 원본은 바이트 그대로 보관됩니다."),
    ("review.title", "Linkage review", "연계 검토"),
    ("audit.title", "Audit log", "감사 기록"),
    ("audit.verify", "Verify now", "지금 검증"),
    ("users.title", "Accounts", "계정"),
    ("nav.replicas", "Replicas", "복제본"),
    ("nav.conflicts", "Conflicts", "충돌"),
    ("conflicts.title", "Conflicts between replicas", "복제본 간 충돌"),
    ("conflicts.intro", "Each record here was changed on two archives while they were apart. Both versions are kept; this archive's stays current until you choose. To combine them, keep one and correct the record in its edit form.", "여기 있는 각 기록은 두 보관소가 떨어져 있는 동안 양쪽에서 바뀌었습니다. 두 판 모두 보존되며, 선택할 때까지 이 보관소의 판이 현재 판입니다. 둘을 합치려면 하나를 택한 뒤 편집 양식에서 기록을 고치십시오."),
    ("conflicts.other", "The other version, by", "다른 판, 작성자"),
    ("conflicts.field", "Field", "항목"),
    ("conflicts.here", "This archive", "이 보관소"),
    ("conflicts.there", "The other archive", "다른 보관소"),
    ("conflicts.keep_local", "Keep this archive's version", "이 보관소의 판 유지"),
    ("conflicts.take_remote", "Take the other version", "다른 판 채택"),
    ("replicas.title", "Replicas and mirrors", "복제본과 미러"),
    ("replicas.this", "This archive's fingerprint:", "이 보관소의 지문:"),
    ("replicas.name", "Name", "이름"),
    ("replicas.fingerprint", "Fingerprint", "지문"),
    ("replicas.last_seen", "Last bundle", "마지막 번들"),
    ("replicas.waiting", "Changes waiting", "대기 중인 변경"),
    ("replicas.accepts", "Accepts", "받는 범위"),
    ("replicas.never", "never", "없음"),
    ("replicas.no_identities", "no sealed identities", "봉인된 신원 제외"),
    ("replicas.none", "No replicas yet. Pair archives with `girok replica card` and `girok replica pair`.", "아직 복제본이 없습니다. `girok replica card`와 `girok replica pair`로 보관소를 연결하십시오."),
    ("replicas.conflicts", "Conflicts", "충돌"),
    ("replicas.no_conflicts", "No open conflicts.", "열린 충돌이 없습니다."),
    ("replicas.resolve", "Documenters settle each on the Conflicts page, or with `girok conflicts resolve SEQ --take local|remote` or a merged record.", "기록 담당자가 충돌 페이지에서, 또는 `girok conflicts resolve SEQ --take local|remote`나 병합한 기록으로 각각 해결합니다."),
    ("users.add", "Add an account, or reset its password", "계정 추가 또는 비밀번호 재설정"),
    ("users.disable", "Disable", "비활성화"),
    ("users.enable", "Enable", "활성화"),
    ("users.reset_totp", "Clear second factor", "2단계 인증 해제"),
    ("users.unlock", "Unlock logins", "로그인 잠금 해제"),
    ("users.locked", "logins locked", "로그인 잠김"),
    ("account.title", "My account", "내 계정"),
    ("account.totp", "Second factor (authenticator app)", "2단계 인증 (인증 앱)"),
    ("account.on", "On: logging in needs a code from your authenticator app.", "사용 중: 로그인할 때 인증 앱의 코드가 필요합니다."),
    ("account.off", "Off: a password alone opens this account.", "사용 안 함: 비밀번호만으로 로그인됩니다."),
    ("account.start", "Set up", "설정"),
    ("account.add_secret", "Add this secret to your authenticator app, then type the code it shows.", "이 비밀 키를 인증 앱에 추가한 뒤 표시되는 코드를 입력하십시오."),
    ("account.confirm", "Confirm", "확인"),
    ("account.disable", "Turn off (needs a current code)", "끄기 (현재 코드 필요)"),
    ("login.code", "Code (if you use a second factor)", "인증 코드 (2단계 인증 사용 시)"),
];

/// The message for `key` in `lang`; the key itself when missing (a test checks none is).
pub(crate) fn message(lang: Lang, key: &str) -> &str {
    match MESSAGES.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, ko)) => match lang {
            Lang::En => en,
            Lang::Ko => ko,
        },
        None => key,
    }
}

/// Registers `t(key)` with the template environment: it reads `lang` from the page context.
pub(crate) fn install(env: &mut minijinja::Environment<'static>) {
    env.add_function("t", |state: &minijinja::State, key: &str| -> String {
        let lang = state.lookup("lang").and_then(|v| v.as_str().and_then(Lang::parse)).unwrap_or_default();
        message(lang, key).to_string()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_used_by_a_template_has_both_languages() {
        let keys: std::collections::HashSet<&str> = MESSAGES.iter().map(|m| m.0).collect();
        assert_eq!(keys.len(), MESSAGES.len(), "keys are unique");
        for (name, src) in crate::render::TEMPLATES {
            for part in src.split("t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                // `t("kind." ~ kind)` builds the key: every value it can take is checked below.
                let known = if key.ends_with('.') { keys.iter().any(|k| k.starts_with(key)) } else { keys.contains(key) };
                assert!(known, "{name} uses {key:?}, which has no message");
            }
        }
        for kind in girok_core::Kind::ALL {
            assert!(keys.contains(format!("kind.{}", kind.as_str()).as_str()), "{kind:?} has no label");
        }
        for status in ["open", "accepted", "rejected", "undone"] {
            assert!(keys.contains(format!("dash.{status}").as_str()));
        }
        for (k, en, ko) in MESSAGES {
            assert!(!en.is_empty() && !ko.is_empty(), "{k}");
        }
    }

    #[test]
    fn cookie_beats_accept_language() {
        let mut h = HeaderMap::new();
        assert_eq!(Lang::of_request(&h), Lang::En);
        h.insert(header::ACCEPT_LANGUAGE, "ko-KR,ko;q=0.9,en;q=0.8".parse().unwrap());
        assert_eq!(Lang::of_request(&h), Lang::Ko);
        h.insert(header::COOKIE, "girok_session=x; girok_lang=en".parse().unwrap());
        assert_eq!(Lang::of_request(&h), Lang::En);
        h.insert(header::COOKIE, "girok_lang=fr".parse().unwrap());
        assert_eq!(Lang::of_request(&h), Lang::Ko, "an unknown language in the cookie falls back");
    }
}

//! A briefing as PDF, from the same content as its HTML page: typeset by Typst (used as a
//! library, so no network, no browser and no external program at run time), with the fonts the
//! caller gives embedded (subset), page numbers and the archive state on every page.
//!
//! Why Typst: a typesetting engine in Rust with tables, page counters and proper font embedding
//! (Hangul included, text extractable), deterministic output for the same input, and a markup
//! language we generate from the briefing. Every string of the briefing reaches Typst as a
//! string literal, never as markup, so no user text can change the document's structure.
//!
//! Pure apart from `system_fonts`, which reads font files from the usual places.

mod source;

use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// Why no PDF was made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("no font with Korean letters found (looked in {looked}); install fonts-nanum (`scripts/test.sh` does) or set GIROK_FONT_DIR to a folder of .ttf/.otf fonts")]
    NoKoreanFont { looked: String },
    #[error("typesetting the briefing failed: {0}")]
    Typeset(String),
}

/// Font files from `GIROK_FONT_DIR` and the usual system folders (Korean first).
pub fn system_fonts() -> Result<Vec<Vec<u8>>, PdfError> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("GIROK_FONT_DIR").map(PathBuf::from).into_iter().collect();
    dirs.extend(
        ["/usr/share/fonts/truetype/nanum", "/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu"]
            .iter()
            .map(PathBuf::from),
    );
    let mut files: Vec<PathBuf> = Vec::new();
    for (i, d) in dirs.iter().enumerate() {
        let mut found = Vec::new();
        collect(d, &mut found);
        let given = i == 0 && std::env::var_os("GIROK_FONT_DIR").is_some();
        // From the system folders, only the families the briefing asks for (regular and bold
        // sans-serif): fewer fonts load faster.
        files.extend(found.into_iter().filter(|p| given || wanted(p)));
    }
    // Sorted: the same fonts in the same order give the same PDF.
    files.sort();
    let fonts: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
    let korean = fonts.iter().any(|data| Font::iter(Bytes::new(data.clone())).any(|f| f.info().coverage.contains('가' as u32)));
    if !korean {
        return Err(PdfError::NoKoreanFont { looked: dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ") });
    }
    Ok(fonts)
}

fn wanted(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    let family = ["nanumgothic", "notosanscjk", "dejavusans"].iter().any(|f| name.starts_with(f));
    family && !["coding", "mono", "light", "extrabold", "eco", "condensed", "oblique"].iter().any(|x| name.contains(x))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().and_then(|x| x.to_str()).is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "ttf" | "otf" | "ttc")) {
            out.push(p);
        }
    }
}

/// The Typst world of one briefing: its generated source and the fonts.
struct BriefingWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
}

impl World for BriefingWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        // The briefing reads no files: everything is in its source.
        Err(FileError::AccessDenied)
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // No clock: the same briefing gives the same bytes.
        None
    }
}

/// The Typst source Girok generates for a briefing (for tests and for anyone who wants to see
/// exactly what is typeset).
pub fn typst_source(b: &girok_publish::Briefing) -> String {
    source::briefing(b)
}

/// Typesets the briefing with `fonts` (file contents, e.g. from `system_fonts`).
pub fn briefing_pdf(b: &girok_publish::Briefing, fonts: &[Vec<u8>]) -> Result<Vec<u8>, PdfError> {
    let fonts: Vec<Font> = fonts.iter().flat_map(|data| Font::iter(Bytes::new(data.clone()))).collect();
    let id = FileId::new(RootedPath::new(VirtualRoot::Project, VirtualPath::new("briefing.typ").map_err(|e| PdfError::Typeset(format!("{e:?}")))?));
    let world = BriefingWorld {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        main: Source::new(id, source::briefing(b)),
    };
    let doc: PagedDocument =
        typst::compile(&world).output.map_err(|errors| PdfError::Typeset(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")))?;
    let options = typst_pdf::PdfOptions {
        // Stable across remakes of the same archive state: the PDF's identifier is its hash.
        ident: typst::foundations::Smart::Custom(format!("girok-briefing-{}", b.archive_state)),
        creator: typst::foundations::Smart::Custom(Some("girok publish".into())),
        ..Default::default()
    };
    typst_pdf::pdf(&doc, &options).map_err(|errors| PdfError::Typeset(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")))
}

#[cfg(test)]
mod tests;

//! What a photograph, a recording or a video says about itself: EXIF capture time, device and
//! GPS position for images; duration, codecs and container for WAV and MP4/QuickTime files,
//! read from their own headers (no decoder runs, nothing is played).

pub use girok_core::model::{Location, MediaInfo};

/// The metadata of a file of `media_type`, and its position if it has one; `None` when the
/// type carries none Girok reads.
pub fn read(media_type: &str, bytes: &[u8]) -> Option<(MediaInfo, Option<Location>)> {
    match media_type {
        "image/jpeg" | "image/tiff" | "image/png" | "image/webp" | "image/heic" => Some(exif(media_type, bytes)),
        "audio/wav" => wav(bytes).map(|m| (m, None)),
        "audio/mpeg" => mp3(bytes).map(|m| (m, None)),
        "video/mp4" | "video/quicktime" | "audio/mp4" | "video/3gpp" => mp4(bytes).map(|m| (m, None)),
        _ => None,
    }
}

fn exif(media_type: &str, bytes: &[u8]) -> (MediaInfo, Option<Location>) {
    let name = media_type.trim_start_matches("image/").to_ascii_uppercase();
    let mut info = MediaInfo { container: name.clone(), ..Default::default() };
    let Ok(e) = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes)) else { return (info, None) };
    info.container = format!("{name}/EXIF");
    let text = |tag: exif::Tag| {
        e.get_field(tag, exif::In::PRIMARY).map(|f| f.display_value().to_string().trim_matches('"').trim().to_string()).filter(|s| !s.is_empty())
    };
    info.captured = text(exif::Tag::DateTimeOriginal).or_else(|| text(exif::Tag::DateTime));
    info.device = match (text(exif::Tag::Make), text(exif::Tag::Model)) {
        (Some(a), Some(b)) if b.starts_with(&a) => Some(b),
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    };
    let uint = |tag: exif::Tag| e.get_field(tag, exif::In::PRIMARY).and_then(|f| f.value.get_uint(0));
    info.width = uint(exif::Tag::PixelXDimension).or_else(|| uint(exif::Tag::ImageWidth));
    info.height = uint(exif::Tag::PixelYDimension).or_else(|| uint(exif::Tag::ImageLength));
    let degrees = |tag: exif::Tag, reference: exif::Tag, negative: u8| -> Option<f64> {
        let f = e.get_field(tag, exif::In::PRIMARY)?;
        let exif::Value::Rational(r) = &f.value else { return None };
        if r.len() < 3 || r.iter().any(|x| x.denom == 0) {
            return None;
        }
        let v = r[0].to_f64() + r[1].to_f64() / 60.0 + r[2].to_f64() / 3600.0;
        let sign = match &e.get_field(reference, exif::In::PRIMARY)?.value {
            exif::Value::Ascii(a) if a.first().and_then(|s| s.first()) == Some(&negative) => -1.0,
            _ => 1.0,
        };
        Some(sign * v)
    };
    let location = match (degrees(exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef, b'S'), degrees(exif::Tag::GPSLongitude, exif::Tag::GPSLongitudeRef, b'W'))
    {
        (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => Some(Location { lat, lon }),
        _ => None,
    };
    info.has_location = location.is_some();
    (info, location)
}

fn le16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(at..at + 2)?.try_into().ok()?))
}
fn le32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}
fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}
fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}
fn be64(d: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(d.get(at..at + 8)?.try_into().ok()?))
}

/// RIFF/WAVE: the `fmt ` chunk and the size of `data`.
fn wav(b: &[u8]) -> Option<MediaInfo> {
    let mut at = 12;
    let (mut fmt, mut data) = (None, None);
    while at + 8 <= b.len() {
        let id = &b[at..at + 4];
        let size = le32(b, at + 4)? as usize;
        match id {
            b"fmt " => fmt = Some((le16(b, at + 8)?, le16(b, at + 10)?, le32(b, at + 12)?, le16(b, at + 22)?)),
            b"data" => data = Some(size.min(b.len().saturating_sub(at + 8))),
            _ => {}
        }
        at += 8 + size + (size & 1);
    }
    let (format, channels, rate, bits) = fmt?;
    let codec = match format {
        1 => format!("PCM {bits}-bit"),
        3 => format!("float {bits}-bit"),
        6 => "A-law".into(),
        7 => "µ-law".into(),
        0xFFFE => format!("PCM {bits}-bit (extensible)"),
        f => format!("format {f}"),
    };
    let ch = match channels {
        1 => "mono".to_string(),
        2 => "stereo".to_string(),
        n => format!("{n} channels"),
    };
    let bytes_per_second = rate as f64 * channels as f64 * bits as f64 / 8.0;
    Some(MediaInfo {
        container: "WAV".into(),
        duration_seconds: data.filter(|_| bytes_per_second > 0.0).map(|n| n as f64 / bytes_per_second),
        tracks: vec![format!("{codec} {ch} {rate} Hz")],
        ..Default::default()
    })
}

/// MPEG audio (MP3): the first frame's header past any ID3v2 tag, and the frame count of a
/// Xing/Info header when the encoder wrote one (variable bit rate); else the duration is the
/// audio's size over the constant bit rate.
fn mp3(b: &[u8]) -> Option<MediaInfo> {
    let mut at = 0usize;
    if b.starts_with(b"ID3") && b.len() >= 10 {
        let size = b[6..10].iter().fold(0usize, |acc, &x| (acc << 7) | (x & 0x7F) as usize);
        at = 10 + size;
    }
    // The first frame sync within a few kilobytes.
    let start = (at..b.len().saturating_sub(4).min(at + 65_536)).find(|&i| b[i] == 0xFF && b[i + 1] & 0xE0 == 0xE0)?;
    let h = u32::from_be_bytes(b[start..start + 4].try_into().ok()?);
    let version = (h >> 19) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    let layer = (h >> 17) & 3; // 1: layer III
    let bitrate_idx = ((h >> 12) & 15) as usize;
    let rate_idx = ((h >> 10) & 3) as usize;
    let mono = (h >> 6) & 3 == 3;
    if layer != 1 || version == 1 || bitrate_idx == 0 || bitrate_idx == 15 || rate_idx == 3 {
        return None;
    }
    const V1: [u32; 15] = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
    const V2: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let kbps = if version == 3 { V1[bitrate_idx] } else { V2[bitrate_idx] };
    let rate = [44_100u32, 48_000, 32_000][rate_idx]
        >> match version {
            3 => 0,
            2 => 1,
            _ => 2,
        };
    let samples_per_frame = if version == 3 { 1152.0 } else { 576.0 };
    // The Xing/Info header sits after the side information of the first frame.
    let side = match (version == 3, mono) {
        (true, false) => 32,
        (true, true) => 17,
        (false, false) => 17,
        (false, true) => 9,
    };
    let xing = start + 4 + side;
    let frames = match b.get(xing..xing + 4) {
        Some(tag) if tag == b"Xing" || tag == b"Info" => {
            let flags = u32::from_be_bytes(b.get(xing + 4..xing + 8)?.try_into().ok()?);
            let count = b.get(xing + 8..xing + 12).and_then(|x| x.try_into().ok()).map(u32::from_be_bytes);
            count.filter(|_| flags & 1 == 1)
        }
        _ => None,
    };
    let duration = match frames {
        Some(f) => f as f64 * samples_per_frame / rate as f64,
        None => (b.len() - start) as f64 * 8.0 / (kbps as f64 * 1000.0),
    };
    let layer_name = match version {
        3 => "MPEG-1",
        2 => "MPEG-2",
        _ => "MPEG-2.5",
    };
    Some(MediaInfo {
        container: "MP3".into(),
        duration_seconds: Some((duration * 10.0).round() / 10.0),
        tracks: vec![format!(
            "{layer_name} layer III {kbps} kbit/s {} {rate} Hz{}",
            if mono { "mono" } else { "stereo" },
            if frames.is_some() { " (VBR header)" } else { "" }
        )],
        ..Default::default()
    })
}

/// ISO base media (MP4, QuickTime, M4A, 3GP): duration from `mvhd`, each track's kind and
/// codec from `hdlr` and `stsd`, a video track's size from `tkhd`.
fn mp4(b: &[u8]) -> Option<MediaInfo> {
    let brand = b.get(8..12).map(|x| String::from_utf8_lossy(x).trim().to_string()).unwrap_or_default();
    let container = if brand == "qt" { "QuickTime".to_string() } else { format!("MP4 ({brand})") };
    let moov = boxes(b, 0, b.len()).find(|(t, ..)| t == b"moov")?;
    let mut info = MediaInfo { container, ..Default::default() };
    for (t, start, end) in boxes(b, moov.1, moov.2) {
        match &t {
            b"mvhd" => {
                let v = *b.get(start)?;
                let (scale, dur) = if v == 1 { (be32(b, start + 20)?, be64(b, start + 24)?) } else { (be32(b, start + 12)?, be32(b, start + 16)? as u64) };
                if scale > 0 {
                    info.duration_seconds = Some(dur as f64 / scale as f64);
                }
            }
            b"trak" => {
                let mut kind = String::new();
                let mut codec = String::new();
                let mut size = None;
                let find = |inside: (usize, usize), name: &[u8; 4]| boxes(b, inside.0, inside.1).find(|(t, ..)| t == name).map(|(_, s, e)| (s, e));
                if let Some((s, e)) = find((start, end), b"tkhd") {
                    // Width and height are the last two 16.16 fixed-point fields.
                    let (w, h) = (be16(b, e - 8)?, be16(b, e - 4)?);
                    if w > 0 && h > 0 && e - s >= 84 {
                        size = Some((w as u32, h as u32));
                    }
                }
                if let Some(mdia) = find((start, end), b"mdia") {
                    if let Some((s, _)) = find(mdia, b"hdlr") {
                        kind = String::from_utf8_lossy(b.get(s + 8..s + 12)?).to_string();
                    }
                    let stsd = find(mdia, b"minf").and_then(|m| find(m, b"stbl")).and_then(|s| find(s, b"stsd"));
                    if let Some((s, _)) = stsd {
                        codec = String::from_utf8_lossy(b.get(s + 12..s + 16)?).trim().to_string();
                    }
                }
                let label = match kind.as_str() {
                    "vide" => "video",
                    "soun" => "audio",
                    "text" | "sbtl" | "subt" => "subtitles",
                    other => other,
                };
                let mut track = format!("{codec} {label}").trim().to_string();
                if let (Some((w, h)), "vide") = (size, kind.as_str()) {
                    track.push_str(&format!(" {w}×{h}"));
                    info.width.get_or_insert(w);
                    info.height.get_or_insert(h);
                }
                info.tracks.push(track);
            }
            _ => {}
        }
    }
    Some(info)
}

/// The boxes between `start` and `end`: (type, content start, content end).
fn boxes(b: &[u8], start: usize, end: usize) -> impl Iterator<Item = ([u8; 4], usize, usize)> + '_ {
    let mut at = start;
    std::iter::from_fn(move || {
        if at + 8 > end {
            return None;
        }
        let size = be32(b, at)? as u64;
        let t: [u8; 4] = b.get(at + 4..at + 8)?.try_into().ok()?;
        let (header, size) = match size {
            1 => (16, be64(b, at + 8)?),
            0 => (8, (end - at) as u64),
            s => (8, s),
        };
        if size < header as u64 || at as u64 + size > end as u64 {
            return None;
        }
        let item = (t, at + header, at + size as usize);
        at += size as usize;
        Some(item)
    })
}

/// Test files made by the tests: a WAV of silence and a minimal MP4 (no samples).
#[cfg(any(test, feature = "test-files"))]
pub mod testfiles {
    /// `seconds` of 16-bit mono silence at 8 kHz.
    pub fn wav(seconds: u32) -> Vec<u8> {
        let data = 8000 * 2 * seconds;
        let mut v = Vec::new();
        v.extend_from_slice(b"RIFF");
        v.extend_from_slice(&(36 + data).to_le_bytes());
        v.extend_from_slice(b"WAVEfmt ");
        v.extend_from_slice(&16u32.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&8000u32.to_le_bytes());
        v.extend_from_slice(&16000u32.to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&16u16.to_le_bytes());
        v.extend_from_slice(b"data");
        v.extend_from_slice(&data.to_le_bytes());
        v.resize(v.len() + data as usize, 0);
        v
    }

    /// A JPEG shell (no image data) whose EXIF says a SYNTHETIC device, a capture time and,
    /// when given, a GPS position.
    pub fn jpeg_with_exif(gps: Option<(f64, f64)>) -> Vec<u8> {
        use exif::{Field, In, Rational, Tag, Value};
        let ascii = |tag: Tag, s: &str| Field { tag, ifd_num: In::PRIMARY, value: Value::Ascii(vec![s.as_bytes().to_vec()]) };
        let dms = |v: f64| {
            let v = v.abs();
            let d = v.floor();
            let m = ((v - d) * 60.0).floor();
            let s = ((v - d) * 60.0 - m) * 60.0;
            Value::Rational(vec![
                Rational { num: d as u32, denom: 1 },
                Rational { num: m as u32, denom: 1 },
                Rational { num: (s * 1000.0).round() as u32, denom: 1000 },
            ])
        };
        let mut fields = vec![ascii(Tag::Make, "SYNTHETIC"), ascii(Tag::Model, "SYNTHETIC Phone 1"), ascii(Tag::DateTimeOriginal, "2019:03:04 05:06:07")];
        if let Some((lat, lon)) = gps {
            fields.push(ascii(Tag::GPSLatitudeRef, if lat < 0.0 { "S" } else { "N" }));
            fields.push(Field { tag: Tag::GPSLatitude, ifd_num: In::PRIMARY, value: dms(lat) });
            fields.push(ascii(Tag::GPSLongitudeRef, if lon < 0.0 { "W" } else { "E" }));
            fields.push(Field { tag: Tag::GPSLongitude, ifd_num: In::PRIMARY, value: dms(lon) });
        }
        let mut w = exif::experimental::Writer::new();
        for f in &fields {
            w.push_field(f);
        }
        let mut tiff = std::io::Cursor::new(Vec::new());
        w.write(&mut tiff, false).expect("EXIF writes to memory");
        let tiff = tiff.into_inner();
        let mut v = vec![0xFF, 0xD8, 0xFF, 0xE1];
        v.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
        v.extend_from_slice(b"Exif\0\0");
        v.extend_from_slice(&tiff);
        // A comment segment, as editors write them, then the end.
        v.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x0B]);
        v.extend_from_slice(b"SYNTHETIC");
        v.extend_from_slice(&[0xFF, 0xD9]);
        v
    }

    /// `seconds` of constant-bit-rate MPEG-1 layer III frames (128 kbit/s, 44.1 kHz, stereo;
    /// silent payload) after an ID3v2 tag.
    pub fn mp3(seconds: u32) -> Vec<u8> {
        let mut v = b"ID3\x04\0\0\0\0\0\x0a".to_vec();
        v.extend_from_slice(b"SYNTHETIC\0");
        // 128 kbit/s at 44.1 kHz: 417 bytes a frame (no padding), 38.28 frames a second.
        let frame_len = 417usize;
        let frames = (seconds as f64 * 44_100.0 / 1152.0).round() as usize;
        for _ in 0..frames {
            let mut f = vec![0u8; frame_len];
            f[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x00]);
            v.extend_from_slice(&f);
        }
        v
    }

    fn mp4box(t: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(t);
        v.extend_from_slice(body);
        v
    }

    /// An MP4 header of `seconds` with one H.264 video track of `w`×`h` and one AAC track.
    pub fn mp4(seconds: u32, w: u16, h: u16) -> Vec<u8> {
        let mut mvhd = vec![0u8; 4 + 8];
        mvhd.extend_from_slice(&1000u32.to_be_bytes());
        mvhd.extend_from_slice(&(seconds * 1000).to_be_bytes());
        mvhd.resize(100, 0);
        let track = |handler: &[u8; 4], codec: &[u8; 4], size: Option<(u16, u16)>| {
            let mut tkhd = vec![0u8; 76];
            if let Some((w, h)) = size {
                tkhd.extend_from_slice(&((w as u32) << 16).to_be_bytes());
                tkhd.extend_from_slice(&((h as u32) << 16).to_be_bytes());
            } else {
                tkhd.extend_from_slice(&[0; 8]);
            }
            let mut hdlr = vec![0u8; 8];
            hdlr.extend_from_slice(handler);
            hdlr.extend_from_slice(&[0; 13]);
            let mut stsd = vec![0u8, 0, 0, 0, 0, 0, 0, 1];
            stsd.extend_from_slice(&16u32.to_be_bytes());
            stsd.extend_from_slice(codec);
            stsd.extend_from_slice(&[0; 8]);
            let stbl = mp4box(b"stbl", &mp4box(b"stsd", &stsd));
            let minf = mp4box(b"minf", &stbl);
            let mut mdia = mp4box(b"hdlr", &hdlr);
            mdia.extend(minf);
            let mut trak = mp4box(b"tkhd", &tkhd);
            trak.extend(mp4box(b"mdia", &mdia));
            mp4box(b"trak", &trak)
        };
        let mut moov = mp4box(b"mvhd", &mvhd);
        moov.extend(track(b"vide", b"avc1", Some((w, h))));
        moov.extend(track(b"soun", b"mp4a", None));
        let mut v = mp4box(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41");
        v.extend(mp4box(b"free", b"SYNTHETIC test file made by girok-extract"));
        v.extend(mp4box(b"moov", &moov));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wav_made_by_the_test_gives_its_duration_and_format() {
        let (m, loc) = read("audio/wav", &testfiles::wav(3)).unwrap();
        assert_eq!(m.duration_seconds, Some(3.0));
        assert_eq!(m.tracks, vec!["PCM 16-bit mono 8000 Hz"]);
        assert!(loc.is_none());
    }

    #[test]
    fn an_mp3_made_by_the_test_gives_its_duration_and_rate() {
        let bytes = testfiles::mp3(10);
        assert_eq!(crate::sniff::detect("interview", &bytes).media_type, "audio/mpeg");
        let (m, _) = read("audio/mpeg", &bytes).unwrap();
        let d = m.duration_seconds.unwrap();
        assert!((d - 10.0).abs() < 0.2, "{d}");
        assert_eq!(m.tracks, vec!["MPEG-1 layer III 128 kbit/s stereo 44100 Hz"]);
    }

    #[test]
    fn an_mp4_made_by_the_test_gives_duration_tracks_and_size() {
        let bytes = testfiles::mp4(42, 640, 360);
        assert_eq!(crate::sniff::detect("clip.bin", &bytes).media_type, "video/mp4");
        let (m, _) = read("video/mp4", &bytes).unwrap();
        assert_eq!(m.duration_seconds, Some(42.0));
        assert_eq!(m.tracks, vec!["avc1 video 640×360", "mp4a audio"]);
        assert_eq!((m.width, m.height), (Some(640), Some(360)));
        assert_eq!(m.container, "MP4 (isom)");
    }

    #[test]
    fn exif_gives_device_time_and_a_position_kept_apart() {
        let (m, loc) = read("image/jpeg", &testfiles::jpeg_with_exif(Some((42.4306, 129.75)))).unwrap();
        assert_eq!(m.device.as_deref(), Some("SYNTHETIC Phone 1"));
        assert_eq!(m.captured.as_deref(), Some("2019-03-04 05:06:07"));
        assert!(m.has_location && m.container == "JPEG/EXIF");
        let loc = loc.unwrap();
        assert!((loc.lat - 42.4306).abs() < 1e-4 && (loc.lon - 129.75).abs() < 1e-4, "{loc:?}");
        let (m, loc) = read("image/jpeg", &testfiles::jpeg_with_exif(None)).unwrap();
        assert!(!m.has_location && loc.is_none());
    }

    #[test]
    fn truncated_media_gives_no_metadata_and_no_panic() {
        let bytes = testfiles::mp4(1, 2, 2);
        for n in [0, 7, 20, bytes.len() / 2] {
            let _ = read("video/mp4", &bytes[..n]);
        }
        assert!(read("audio/wav", b"RIFF\0\0\0\0WAVE").is_none());
    }
}

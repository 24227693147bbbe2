//! Device ids from `--device` and `--devices-file`, checked before anything
//! is sent.
//!
//! Admins feed the CLI whatever their tools export: a plain list, a list
//! Windows PowerShell 5.1 wrote with `Out-File` (UTF-16 with a BOM), a CSV
//! export from the Intune portal or Excel with a header row. Every id keeps
//! its place (file and line, or which `--device`) so that a refusal can
//! point at it.

use std::collections::HashMap;

/// How device lists are read.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The CSV column holding the ids (`--column`); `None` picks a column
    /// named like an id when the list has a header row.
    pub column: Option<String>,
    /// Send ids that are not GUIDs (`--allow-non-guid`).
    pub allow_non_guid: bool,
}

/// The ids to send, in order, each once; and notes for the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceList {
    /// Distinct ids, first spelling kept.
    pub ids: Vec<String>,
    /// What was dropped, e.g. duplicates; printed on stderr.
    pub notes: Vec<String>,
}

/// One id and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    id: String,
    place: String,
}

/// The ids of `flags` (each `--device` value, split on commas) followed by
/// those of `file` (its name for messages, and its raw bytes).
pub fn collect(
    flags: &[String],
    file: Option<(&str, &[u8])>,
    options: &Options,
) -> Result<DeviceList, String> {
    let mut entries = Vec::new();
    for (index, value) in flags.iter().enumerate() {
        entries.extend(split_flag(index + 1, value)?);
    }
    if let Some((name, bytes)) = file {
        let text = decode_text(name, bytes)?;
        let from_file = parse_list(name, &text, options.column.as_deref())?;
        if from_file.is_empty() {
            return Err(format!(
                "{name} holds no device ids (blank lines and # comments are skipped)"
            ));
        }
        entries.extend(from_file);
    }
    if !options.allow_non_guid
        && let Some(bad) = entries.iter().find(|e| !is_guid(&e.id))
    {
        return Err(format!(
            "{}: `{}` is not a GUID (Intune device ids look like \
             01234567-89ab-cdef-0123-456789abcdef); pass --allow-non-guid to send it anyway",
            bad.place, bad.id
        ));
    }
    Ok(dedupe(entries))
}

/// One `--device` value: comma-separated ids, none of them empty.
fn split_flag(position: usize, value: &str) -> Result<Vec<Entry>, String> {
    let place = format!("--device #{position}");
    value
        .split(',')
        .map(|piece| {
            let id = piece.trim();
            if id.is_empty() {
                Err(format!("{place}: empty device id in `{value}`"))
            } else {
                Ok(Entry {
                    id: id.to_owned(),
                    place: place.clone(),
                })
            }
        })
        .collect()
}

/// The text of a list: UTF-8 (a BOM is dropped), or UTF-16 LE/BE when a
/// BOM says so, as Windows PowerShell 5.1's `Out-File` writes.
pub fn decode_text(name: &str, bytes: &[u8]) -> Result<String, String> {
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16, label: &str| {
        if !rest.len().is_multiple_of(2) {
            return Err(format!(
                "{name} starts with a {label} byte order mark but has an odd number of bytes"
            ));
        }
        let units = rest.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|err| format!("{name} is not valid {label}: {err}"))
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(name, rest),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes, "UTF-16 LE"),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes, "UTF-16 BE"),
        _ => utf8(name, bytes),
    }
}

fn utf8(name: &str, bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|err| {
        format!(
            "{name} is neither UTF-8 nor UTF-16 with a byte order mark ({err}); \
             save it as UTF-8 or UTF-16"
        )
    })
}

/// Lines that carry data: blank lines and `#` comments skipped; each with
/// its 1-based line number, trimmed.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

/// The ids of a list: plain (one per line) or CSV.
///
/// A list is CSV when `column` is given or its first data line holds a
/// separator (`,`, `;` or a tab). A CSV whose first row is all GUIDs has no
/// header, and every cell is an id; otherwise the first row is the header
/// and the ids come from `column`, or from the one column named like an id.
fn parse_list(name: &str, text: &str, column: Option<&str>) -> Result<Vec<Entry>, String> {
    let mut lines = data_lines(text).peekable();
    let Some(&(_, first)) = lines.peek() else {
        return Ok(Vec::new());
    };
    let separator = [',', ';', '\t'].into_iter().find(|s| first.contains(*s));
    let place = |line: usize| format!("{name}:{line}");
    if separator.is_none() && column.is_none() {
        // A plain list: one id per line.
        return lines
            .map(|(line, id)| {
                if id.contains(char::is_whitespace) {
                    Err(format!(
                        "{}: `{id}` holds whitespace; put one device id per line",
                        place(line)
                    ))
                } else {
                    Ok(Entry {
                        id: id.to_owned(),
                        place: place(line),
                    })
                }
            })
            .collect();
    }
    let separator = separator.unwrap_or(',');
    let header = split_row(first, separator);
    if column.is_none() && header.iter().all(|cell| is_guid(cell)) {
        // No header: a comma-separated list of ids.
        let mut entries = Vec::new();
        for (line, row) in lines {
            for cell in split_row(row, separator) {
                if cell.is_empty() {
                    return Err(format!("{}: empty device id", place(line)));
                }
                entries.push(Entry {
                    id: cell,
                    place: place(line),
                });
            }
        }
        return Ok(entries);
    }
    let (header_line, _) = lines.next().expect("peeked");
    let index =
        pick_column(&header, column).map_err(|why| format!("{}: {why}", place(header_line)))?;
    let column_name = &header[index];
    lines
        .map(|(line, row)| {
            let cells = split_row(row, separator);
            match cells.get(index).map(String::as_str) {
                Some("") | None => Err(format!(
                    "{}: empty device id in column `{column_name}`",
                    place(line)
                )),
                Some(id) => Ok(Entry {
                    id: id.to_owned(),
                    place: place(line),
                }),
            }
        })
        .collect()
}

/// Header names taken as the id column without `--column`, compared
/// without case, spaces, `_` or `-`.
const ID_COLUMNS: [&str; 6] = [
    "id",
    "deviceid",
    "azureaddeviceid",
    "entradeviceid",
    "intunedeviceid",
    "manageddeviceid",
];

/// The index of the id column: the one `--column` names, else one of
/// [`ID_COLUMNS`], else the only column whose name holds `id` or `device`.
fn pick_column(header: &[String], column: Option<&str>) -> Result<usize, String> {
    let listed = || {
        header
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(wanted) = column {
        return header
            .iter()
            .position(|c| c.eq_ignore_ascii_case(wanted.trim()))
            .ok_or_else(|| {
                format!(
                    "no column `{wanted}` in the header row; it has {}",
                    listed()
                )
            });
    }
    let normal = |c: &str| {
        c.chars()
            .filter(|ch| !matches!(ch, ' ' | '_' | '-'))
            .collect::<String>()
            .to_ascii_lowercase()
    };
    for known in ID_COLUMNS {
        if let Some(index) = header.iter().position(|c| normal(c) == known) {
            return Ok(index);
        }
    }
    let candidates: Vec<usize> = (0..header.len())
        .filter(|&i| {
            let words = header[i].to_ascii_lowercase();
            words
                .split(|ch: char| !ch.is_ascii_alphanumeric())
                .any(|w| w == "id" || w == "device")
        })
        .collect();
    match candidates.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "no column is named like a device id; name it with --column (the header has {})",
            listed()
        )),
        _ => Err(format!(
            "several columns could hold the device id ({}); choose one with --column",
            candidates
                .iter()
                .map(|&i| format!("`{}`", header[i]))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The cells of one CSV row, trimmed; `"..."` quoting with `""` for a
/// quote, as Excel and `Export-Csv` write it.
fn split_row(row: &str, separator: char) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = row.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                cells.push(std::mem::take(&mut cell).trim().to_owned())
            }
            c => cell.push(c),
        }
    }
    cells.push(cell.trim().to_owned());
    cells
}

/// Whether `id` is a GUID as Intune writes them:
/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits of either case.
pub fn is_guid(id: &str) -> bool {
    let bytes = id.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Drops repeated ids (GUIDs compare without case), keeping the first, and
/// says which were dropped.
fn dedupe(entries: Vec<Entry>) -> DeviceList {
    let mut first: HashMap<String, String> = HashMap::new();
    let mut list = DeviceList::default();
    for entry in entries {
        let key = if is_guid(&entry.id) {
            entry.id.to_ascii_lowercase()
        } else {
            entry.id.clone()
        };
        match first.get(&key) {
            Some(place) => list.notes.push(format!(
                "{}: dropped duplicate device id {} (first at {place})",
                entry.place, entry.id
            )),
            None => {
                first.insert(key, entry.place);
                list.ids.push(entry.id);
            }
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    const B: &str = "11111111-2222-3333-4444-555555555555";
    const C: &str = "AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee";

    fn from_file(bytes: &[u8], options: &Options) -> Result<Vec<String>, String> {
        collect(&[], Some(("list.txt", bytes)), options).map(|l| l.ids)
    }

    fn guids(bytes: &[u8]) -> Result<Vec<String>, String> {
        from_file(bytes, &Options::default())
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            let pair = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            bytes.extend(pair);
        }
        bytes
    }

    #[test]
    fn a_utf8_bom_is_dropped() {
        let text = format!("\u{feff}{A}\r\n{B}\r\n");
        assert_eq!(guids(text.as_bytes()).unwrap(), [A, B]);
    }

    #[test]
    fn utf16_with_a_bom_is_read_either_way_round() {
        let text = format!("{A}\r\n{B}\r\n");
        assert_eq!(guids(&utf16(&text, false)).unwrap(), [A, B]);
        assert_eq!(guids(&utf16(&text, true)).unwrap(), [A, B]);
        let odd = [0xFF, 0xFE, b'a'];
        assert!(guids(&odd).unwrap_err().contains("odd number of bytes"));
        let not_text = [0xC3, 0x28];
        assert!(
            guids(&not_text)
                .unwrap_err()
                .contains("neither UTF-8 nor UTF-16")
        );
    }

    #[test]
    fn a_csv_export_uses_the_id_column() {
        let csv = format!("Serial number,Id,Windows Product ID\n\"SN,1\",{A},x\nSN-2,{B},y\n");
        assert_eq!(guids(csv.as_bytes()).unwrap(), [A, B]);
        // PowerShell's Export-Csv quotes every cell; Excel in Europe uses `;`.
        let quoted = format!("\"Device ID\";\"Name\"\n\"{A}\";\"pc \"\"1\"\"\"\n");
        assert_eq!(guids(quoted.as_bytes()).unwrap(), [A]);
    }

    #[test]
    fn column_chooses_among_several() {
        let csv = format!("Object,Name,Serial\n{A},pc1,{B}\n");
        let err = guids(csv.as_bytes()).unwrap_err();
        assert!(
            err.starts_with("list.txt:1: no column is named like a device id"),
            "{err}"
        );
        let options = Options {
            column: Some("serial".into()),
            ..Options::default()
        };
        assert_eq!(from_file(csv.as_bytes(), &options).unwrap(), [B]);
        let options = Options {
            column: Some("missing".into()),
            ..Options::default()
        };
        let err = from_file(csv.as_bytes(), &options).unwrap_err();
        assert!(err.contains("no column `missing`"), "{err}");
        assert!(err.contains("`Object`, `Name`, `Serial`"), "{err}");
        let two = format!("Device,Managed device id,x\n{A},{B},1\n");
        // A known name wins over a mere `id` or `device` in the name.
        assert_eq!(guids(two.as_bytes()).unwrap(), [B]);
        let ambiguous = format!("Device,Object id\n{A},{B}\n");
        assert!(
            guids(ambiguous.as_bytes())
                .unwrap_err()
                .contains("several columns")
        );
    }

    #[test]
    fn a_headerless_row_of_guids_is_a_list() {
        let csv = format!("{A},{B}\n{C}\n");
        assert_eq!(guids(csv.as_bytes()).unwrap(), [A, B, C]);
    }

    #[test]
    fn empty_ids_are_refused_with_their_place() {
        let csv = format!("Id,Name\n{A},a\n,b\n");
        assert_eq!(
            guids(csv.as_bytes()).unwrap_err(),
            "list.txt:3: empty device id in column `Id`"
        );
        let flags = [A.to_string(), format!("{B},")];
        assert_eq!(
            collect(&flags, None, &Options::default()).unwrap_err(),
            format!("--device #2: empty device id in `{B},`")
        );
        let empty = [String::new()];
        assert!(
            collect(&empty, None, &Options::default())
                .unwrap_err()
                .starts_with("--device #1: empty")
        );
    }

    #[test]
    fn device_flags_split_on_commas_and_come_first() {
        let flags = [format!("{A}, {B}"), C.to_string()];
        let list = collect(&flags, Some(("f", A.as_bytes())), &Options::default()).unwrap();
        assert_eq!(list.ids, [A, B, C]);
        assert_eq!(
            list.notes,
            [format!(
                "f:1: dropped duplicate device id {A} (first at --device #1)"
            )]
        );
    }

    #[test]
    fn duplicates_are_dropped_without_case() {
        let text = format!("{C}\n{B}\n{}\n", C.to_lowercase());
        let list = collect(&[], Some(("f", text.as_bytes())), &Options::default()).unwrap();
        assert_eq!(list.ids, [C, B]);
        assert_eq!(list.notes.len(), 1);
        assert!(
            list.notes[0].starts_with("f:3: dropped duplicate"),
            "{:?}",
            list.notes
        );
    }

    #[test]
    fn ids_must_be_guids_unless_allowed() {
        let text = format!("{A}\nserial-123\n");
        let err = guids(text.as_bytes()).unwrap_err();
        assert!(
            err.starts_with("list.txt:2: `serial-123` is not a GUID"),
            "{err}"
        );
        assert!(err.contains("--allow-non-guid"), "{err}");
        let options = Options {
            allow_non_guid: true,
            ..Options::default()
        };
        assert_eq!(
            from_file(text.as_bytes(), &options).unwrap(),
            [A, "serial-123"]
        );
        assert!(!is_guid(&format!("{{{A}}}")));
        assert!(!is_guid("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg"));
    }

    #[test]
    fn plain_lists_keep_their_old_rules() {
        let text = format!("# exported\r\n\r\n  {A}  \n{B} {C}\n");
        let err = guids(text.as_bytes()).unwrap_err();
        assert_eq!(
            err,
            format!("list.txt:4: `{B} {C}` holds whitespace; put one device id per line")
        );
        assert!(
            guids(b"# nothing\n\n")
                .unwrap_err()
                .contains("holds no device ids")
        );
    }
}

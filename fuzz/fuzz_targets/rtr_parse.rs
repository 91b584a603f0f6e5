//! Fuzzes the RTR output parsers: the first byte picks the command and platform, the rest is stdout.
//! Every parser takes any text: never a panic, and never a field of the wrong type (every row
//! holds its schema, failed rows hold nothing but `raw` and `parse_error` and are warned about).

#![no_main]

use falconry::rtr::parse;
use libfuzzer_sys::fuzz_target;

const PLATFORMS: &[Option<&str>] = &[None, Some("Windows"), Some("Linux"), Some("Mac")];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    // Every parser of the registry, so a new parser is fuzzed without touching this file.
    let parser = &parse::PARSERS[usize::from(pick) % parse::PARSERS.len()];
    let command = parser.command.command().name;
    let platform = PLATFORMS[usize::from(pick / 16) % PLATFORMS.len()];
    let stdout = String::from_utf8_lossy(rest);
    if let Some(p) = parse::parse(command, platform, &stdout)
        && let Err(why) = parse::schema::check(&p)
    {
        panic!("{command} {platform:?}: {why}");
    }
});

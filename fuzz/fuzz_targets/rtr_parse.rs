//! Fuzzes the RTR output parsers: the first byte picks the command and platform, the rest is stdout.
//! Every parser takes any text; garbage must give an empty result, never a panic.

#![no_main]

use falconry::rtr::parse;
use libfuzzer_sys::fuzz_target;

const COMMANDS: &[&str] = &[
    "ps",
    "ls",
    "netstat",
    "filehash",
    "users",
    "reg query",
    "ipconfig",
    "ifconfig",
    "env",
];
const PLATFORMS: &[Option<&str>] = &[None, Some("Windows"), Some("Linux"), Some("Mac")];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let command = COMMANDS[usize::from(pick) % COMMANDS.len()];
    let platform = PLATFORMS[usize::from(pick / 16) % PLATFORMS.len()];
    let stdout = String::from_utf8_lossy(rest);
    let _ = parse::parse(command, platform, &stdout);
});

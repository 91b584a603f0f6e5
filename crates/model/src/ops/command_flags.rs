//! The flags each RTR command takes (`-l`, `-CloudFile=...`): the cloud refuses any other flag with
//! error 40014 `Unrecognized flag found: <Flag>, value: <value>` before the command reaches the host
//! (the full answer is quoted in falconpy#55: HTTP 400, `{"code": 40014, "message":
//! "Unrecognized flag found: Raw, value: gci /"}`; psfalcon#33 and #49 show the same text).
//!
//! Sources, so each list is a fact and not a guess:
//! - `cat`, `cd`, `env`, `filehash`, `ifconfig`, `ls`, `mount`, `netstat`, `ps`, `pwd`, `users`:
//!   the Linux session catalogue (the `scripts` of a real `RTR-InitSession` answer, kept by
//!   elastic/kibana; `tests/data/rtr/real/linux_init_session_scripts_kibana.json`). `mount`'s
//!   examples there also show `-t=nfs` and `-o=nobrowse`.
//! - `runscript`: `-CloudFile`, `-CommandLine`, `-HostPath`, `-Raw`, `-Timeout` (CrowdStrike's RTR
//!   documentation as FalconPy, PSFalcon (`Invoke-FalconRtr`) and Falcon-Toolkit use them).
//! - `restart`, `shutdown`: `-Confirm` (the RTR documentation's examples).
//!
//! Commands whose flags no public source lists answer `None`: any flag is let through (a listed
//! deviation of the emulator, tests/data/falcon-api/DEVIATIONS.md), rather than refusing a real one.
//! The Windows catalogue was not captured: the Linux lists are used on every platform.

use super::commands::Cmd;

/// The flags `cmd` accepts (without the dash; a trailing `=` marks one that takes a value), or
/// `None` when no source lists them all. One-letter flags are case-sensitive (`ls -l` is not
/// `ls -L`); longer ones are not.
pub fn flags(cmd: Cmd) -> Option<&'static [&'static str]> {
    let (closed, flags) = grammar(cmd);
    closed.then_some(flags)
}

/// The flags completion offers for `cmd`: the whole list where a source gives one, otherwise the
/// ones the RTR documentation's examples use (`rm -Force`, `run -CommandLine=`), which do not close
/// the list.
pub fn known(cmd: Cmd) -> &'static [&'static str] {
    grammar(cmd).1
}

/// Whether the list is complete (a source lists every flag), and the flags.
fn grammar(cmd: Cmd) -> (bool, &'static [&'static str]) {
    match cmd {
        Cmd::Cat => (true, &["n", "t"]),
        Cmd::Ls => (true, &["l", "L", "R", "t"]),
        Cmd::Netstat => (true, &["nr"]),
        Cmd::Mount => (true, &["t=", "o="]),
        Cmd::Cd | Cmd::Env | Cmd::Filehash | Cmd::Ifconfig | Cmd::Ps | Cmd::Pwd | Cmd::Users => {
            (true, &[])
        }
        Cmd::Runscript => (
            true,
            &[
                "CloudFile=",
                "CommandLine=",
                "HostPath=",
                "Raw=",
                "Timeout=",
            ],
        ),
        Cmd::Restart | Cmd::Shutdown => (true, &["Confirm"]),
        Cmd::Rm => (false, &["Force"]),
        Cmd::Run => (false, &["CommandLine="]),
        Cmd::Clear
        | Cmd::Eventlog
        | Cmd::Getsid
        | Cmd::Help
        | Cmd::History
        | Cmd::Ipconfig
        | Cmd::RegQuery
        | Cmd::Cp
        | Cmd::Encrypt
        | Cmd::Get
        | Cmd::Kill
        | Cmd::Map
        | Cmd::Memdump
        | Cmd::Mkdir
        | Cmd::Mv
        | Cmd::RegDelete
        | Cmd::RegLoad
        | Cmd::RegSet
        | Cmd::RegUnload
        | Cmd::Tar
        | Cmd::Unmap
        | Cmd::UpdateHistory
        | Cmd::UpdateInstall
        | Cmd::UpdateList
        | Cmd::UpdateQuery
        | Cmd::Xmemdump
        | Cmd::Zip
        | Cmd::Falconscript
        | Cmd::Put
        | Cmd::PutAndRun => (false, &[]),
    }
}

/// Whether `flag` (as written, without the dash) is one of `known`.
pub fn accepts(known: &[&str], flag: &str) -> bool {
    known.iter().map(|k| k.trim_end_matches('=')).any(|k| {
        if k.chars().count() == 1 {
            k == flag
        } else {
            k.eq_ignore_ascii_case(flag)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_catalogue_flags_are_accepted_and_others_are_not() {
        let ls = flags(Cmd::Ls).unwrap();
        assert!(accepts(ls, "l") && accepts(ls, "L") && accepts(ls, "R") && accepts(ls, "t"));
        assert!(!accepts(ls, "Bogus") && !accepts(ls, "a"));
        let rs = flags(Cmd::Runscript).unwrap();
        assert!(accepts(rs, "cloudfile") && accepts(rs, "Raw"));
        assert!(flags(Cmd::Ps).unwrap().is_empty());
        assert!(flags(Cmd::Rm).is_none());
    }
}

//! `cargo xtask check-specs` as CI runs it: its exit status is the
//! interface, so a wrong command line must not read as a finding.

use std::process::Command;

fn check_specs(args: &[&str]) -> Option<i32> {
    let output =
        Command::new(env!("CARGO_BIN_EXE_xtask")).arg("check-specs").args(args).output().expect("xtask runs");
    output.status.code()
}

// spec: 002-spec-governance#FR-003
#[test]
fn a_wrong_command_line_exits_3_not_2_or_1() {
    // Exit 2 means "only findings --fix repairs"; a typo must not say that.
    assert_eq!(check_specs(&["--format", "yaml"]), Some(3));
    assert_eq!(check_specs(&["--no-such-flag"]), Some(3));
}

#[test]
fn help_exits_0() {
    assert_eq!(check_specs(&["--help"]), Some(0));
}

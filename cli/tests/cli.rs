//! The `charter` binary against a real server on a real port: what each
//! command prints and the exit code it ends with.

mod terminal;

use api_client::types::RefreshRequest;
use charter_tests::{TestServer, mint};
use terminal::{PASSWORD, Terminal};

/// Snapshots with what varies from run to run hidden: ids, times and the
/// id column's width.
macro_rules! snapshot {
    ($name:literal, $text:expr) => {{
        let text = $text;
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[uuid]");
        settings.add_filter(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", "[time]");
        settings.add_filter(r"(?m)^[0-9a-f]{8}[0-9a-f-]* +", "[id]  ");
        settings.add_filter(r"(?m)^ID +", "ID    ");
        settings.bind(|| insta::assert_snapshot!($name, text));
    }};
}

#[tokio::test]
async fn fr_001_login_keeps_an_owner_only_session_and_logout_ends_it() {
    // spec: 008-cli-and-mcp#FR-001
    let server = TestServer::sqlite().await;
    let (client, session) = server.user("Ada").await;
    let email = session.user.email.clone().expect("signed up with an email");
    let term = Terminal::new(&server);

    let run = term.run(&["tasks", "list"]).await.expect(3);
    assert!(run.stderr.contains("not signed in"), "{run:?}");

    // The API refuses a wrong password: its message, exit 1, nothing kept.
    let run = term.run_with(&["login", "--email", &email], Some("wrong password\n"), &[]).await.expect(1);
    assert!(run.stderr.starts_with("error: ") && run.stderr.len() > "error: \n".len(), "{run:?}");
    assert!(!term.credentials().exists());

    // Email and password from standard input.
    let run = term.run_with(&["login"], Some(&format!("{email}\n{PASSWORD}\n")), &[]).await.expect(0);
    assert_eq!(run.stdout, format!("Signed in to {} as Ada <{email}>.\n", term.url));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = std::fs::metadata(term.credentials()).expect("credentials kept");
        assert_eq!(file.permissions().mode() & 0o777, 0o600);
        let dir = std::fs::metadata(term.credentials().parent().unwrap()).unwrap();
        assert_eq!(dir.permissions().mode() & 0o777, 0o700);
    }
    let kept = std::fs::read_to_string(term.credentials()).unwrap();
    assert!(!kept.contains(PASSWORD), "the password is never kept");
    let refresh_token = |path| {
        let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        kept["tokens"]["refresh_token"].as_str().expect("a refresh token").to_owned()
    };

    let run = term.run(&["whoami"]).await.expect(0);
    assert_eq!(run.stdout, format!("Ada <{email}> ({})\n", session.user.id));
    assert_eq!(term.run(&["whoami", "--json"]).await.expect(0).json()["id"], session.user.id.as_str());

    // A password in CHARTER_PASSWORD signs in again without asking.
    let first = refresh_token(term.credentials());
    term.login(&email).await;
    let second = refresh_token(term.credentials());
    assert_ne!(first, second, "a new session, kept in place of the old");

    let run = term.run(&["logout"]).await.expect(0);
    assert_eq!(run.stdout, format!("Signed out of {}.\n", term.url));
    assert!(!term.credentials().exists());
    term.run(&["whoami"]).await.expect(3);
    assert_eq!(term.run(&["logout"]).await.expect(0).stdout, "Not signed in.\n");

    // Logging out ended the session on the server as well.
    let kept_session = client.auth_refresh().body(RefreshRequest { refresh_token: second }).send().await;
    assert_eq!(kept_session.expect_err("revoked").status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn fr_001_a_token_in_the_environment_wins_and_nothing_is_written() {
    // spec: 008-cli-and-mcp#FR-001
    let server = TestServer::sqlite().await;
    let (_, ada) = server.user("Ada").await;
    let (_, bo) = server.user("Bo").await;
    let term = Terminal::new(&server);
    term.login(bo.user.email.as_deref().unwrap()).await;
    let before = std::fs::read(term.credentials()).unwrap();

    let token = [("CHARTER_TOKEN", ada.access_token.as_str())];
    let run = term.run_with(&["tasks", "add", "From a script"], None, &token).await.expect(0);
    assert!(run.stdout.starts_with("Added "), "{run:?}");
    let run = term.run_with(&["whoami"], None, &token).await.expect(0);
    assert!(run.stdout.starts_with("Ada "), "the token's user, not the stored one: {run:?}");
    assert_eq!(std::fs::read(term.credentials()).unwrap(), before, "nothing written");
    // Bo, signed in, does not see Ada's task.
    assert_eq!(term.run(&["tasks", "list"]).await.expect(0).stdout, "No tasks.\n");

    // A token the API refuses means "not signed in": 3.
    let expired = mint(
        serde_json::json!({ "sub": ada.user.id, "iat": 1_000_000_000, "exp": 1_000_000_900 }),
        jsonwebtoken::Algorithm::HS256,
        charter_tests::TEST_SECRET,
    );
    let run = term.run_with(&["tasks", "list"], None, &[("CHARTER_TOKEN", &expired)]).await.expect(3);
    assert!(run.stderr.contains("not signed in"), "{run:?}");
    term.run_with(&["tasks", "list"], None, &[("CHARTER_TOKEN", "not-a-jwt")]).await.expect(3);

    // No server at the address: 3 as well.
    let port = machine::free_port().unwrap();
    let nowhere = Terminal::at(&format!("http://127.0.0.1:{port}"));
    let run = nowhere.run_with(&["tasks", "list"], None, &token).await.expect(3);
    assert!(run.stderr.contains("cannot reach the server"), "{run:?}");
}

#[tokio::test]
async fn fr_002_task_commands_print_tables_and_json_and_exit_as_scripts_expect() {
    // spec: 008-cli-and-mcp#FR-002
    // spec: 008-cli-and-mcp#SC-001
    let server = TestServer::sqlite().await;
    let (_, session) = server.user("Ada").await;
    let term = Terminal::new(&server);
    term.login(session.user.email.as_deref().unwrap()).await;

    let rent = term
        .run(&[
            "tasks",
            "add",
            "Pay rent",
            "--due",
            "2026-12-31",
            "-p",
            "high",
            "-t",
            "bills",
            "-t",
            "home",
            "-d",
            "Before the 1st",
            "--json",
        ])
        .await
        .expect(0)
        .json();
    let rent_id = rent["id"].as_str().unwrap().to_owned();
    assert_eq!(rent["tags"], serde_json::json!(["bills", "home"]));
    let run = term.run(&["tasks", "add", "Call mum", "--due", "2020-01-05"]).await.expect(0);
    assert!(run.stdout.starts_with("Added ") && run.stdout.ends_with(": Call mum\n"), "{run:?}");
    term.run(&[
        "tasks",
        "add",
        "Water plants",
        "--due",
        "2026-12-07",
        "--recurrence",
        "FREQ=WEEKLY",
        "-t",
        "home",
    ])
    .await
    .expect(0);

    snapshot!("list_table", term.run(&["tasks", "list"]).await.expect(0).stdout);
    snapshot!("list_json", term.run(&["tasks", "list", "--json"]).await.expect(0).stdout);

    let titles = |run: terminal::Run| -> Vec<String> {
        run.json().as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_owned()).collect()
    };
    let list = |args: &'static [&'static str]| {
        let mut all = vec!["tasks", "list", "--json"];
        all.extend_from_slice(args);
        all
    };
    assert_eq!(titles(term.run(&list(&["-q", "rent"])).await.expect(0)), ["Pay rent"]);
    assert_eq!(
        titles(term.run(&list(&["--tag", "home", "--sort", "due_date"])).await.expect(0)),
        ["Water plants", "Pay rent"]
    );
    assert_eq!(titles(term.run(&list(&["--tag", "home", "--tag", "bills"])).await.expect(0)), ["Pay rent"]);
    assert_eq!(titles(term.run(&list(&["--priority", "high,low"])).await.expect(0)), ["Pay rent"]);
    assert_eq!(titles(term.run(&list(&["--overdue"])).await.expect(0)), ["Call mum"]);
    assert_eq!(titles(term.run(&list(&["--due-after", "2026-12-10"])).await.expect(0)), ["Pay rent"]);
    assert_eq!(
        titles(term.run(&list(&["--sort", "title", "--order", "desc", "--limit", "2"])).await.expect(0)),
        ["Water plants", "Pay rent"]
    );

    // Ids by unique prefix; too short, unknown and ambiguous ones are usage errors.
    let prefix = &rent_id[..rent_id.len() - 1];
    snapshot!("show", term.run(&["tasks", "show", prefix]).await.expect(0).stdout);
    let run = term.run(&["tasks", "show", &rent_id[..3]]).await.expect(2);
    assert!(run.stderr.contains("too short"), "{run:?}");
    let run = term.run(&["tasks", "show", "ffffffff"]).await.expect(2);
    assert!(run.stderr.contains("no task id starts with"), "{run:?}");
    let ids: Vec<String> = term
        .run(&["tasks", "list", "--json"])
        .await
        .expect(0)
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    let shared = ids[0].chars().zip(ids[1].chars()).take_while(|(a, b)| a == b).count();
    assert!(shared >= 4, "ids made together share their start: {ids:?}");
    let run = term.run(&["tasks", "done", &ids[0][..shared]]).await.expect(2);
    assert!(run.stderr.contains("task ids"), "{run:?}");

    // An edit changes what it is given and keeps the rest.
    let run = term.run(&["tasks", "edit", prefix, "--title", "Pay the rent"]).await.expect(0);
    assert_eq!(run.stdout, format!("Updated {rent_id}: Pay the rent\n"));
    let edited = term.run(&["tasks", "show", &rent_id, "--json"]).await.expect(0).json();
    assert_eq!(edited["description"], "Before the 1st");
    assert_eq!(edited["due_date"], "2026-12-31");
    assert_eq!(edited["priority"], "high");
    assert_eq!(edited["tags"], serde_json::json!(["bills", "home"]));
    let edited = term
        .run(&["tasks", "edit", &rent_id, "--no-description", "--no-tags", "--json"])
        .await
        .expect(0)
        .json();
    assert_eq!(
        (edited["description"].clone(), edited["tags"].clone()),
        (serde_json::Value::Null, serde_json::json!([]))
    );
    term.run(&["tasks", "edit", &rent_id]).await.expect(2);

    // Done and undo set the state: twice is the same as once.
    assert_eq!(
        term.run(&["tasks", "done", &rent_id]).await.expect(0).stdout,
        format!("Completed {rent_id}: Pay the rent\n")
    );
    assert_eq!(term.run(&["tasks", "done", &rent_id, "--json"]).await.expect(0).json()[0]["completed"], true);
    assert_eq!(
        term.run(&["tasks", "undo", &rent_id]).await.expect(0).stdout,
        format!("Reopened {rent_id}: Pay the rent\n")
    );
    let water = &titles_ids(&term, "Water plants").await;
    let run = term.run(&["tasks", "done", water]).await.expect(0);
    assert!(run.stdout.ends_with("next due 2026-12-14.\n"), "{run:?}");

    // The API's refusals: its message, exit 1.
    let run = term.run(&["tasks", "add", "   "]).await.expect(1);
    assert!(run.stderr.contains("title"), "{run:?}");
    let run = term
        .run(&["tasks", "add", "Hourly", "--due", "2026-12-07", "--recurrence", "FREQ=HOURLY"])
        .await
        .expect(1);
    assert!(run.stderr.starts_with("error: "), "{run:?}");
    term.run(&["tasks", "list", "--status", "sideways"]).await.expect(2);
    term.run(&["tasks", "frobnicate"]).await.expect(2);

    let run = term.run(&["tasks", "rm", &rent_id]).await.expect(0);
    assert_eq!(run.stdout, format!("Deleted {rent_id}.\n"));
    let run = term.run(&["tasks", "show", &rent_id]).await.expect(1);
    assert!(run.stderr.starts_with("error: "), "{run:?}");

    snapshot!("tags", term.run(&["tags", "list"]).await.expect(0).stdout);
    assert_eq!(
        term.run(&["tags", "rename", "home", "house"]).await.expect(0).stdout,
        "Renamed home to house (1 task).\n"
    );
    assert_eq!(term.run(&["tags", "rm", "house"]).await.expect(0).stdout, "Removed house from every task.\n");
    assert_eq!(term.run(&["tags", "list"]).await.expect(0).stdout, "No tags.\n");

    let summary = term.run(&["summary", "--json"]).await.expect(0).json();
    assert_eq!((summary["total"].as_u64(), summary["overdue"].as_u64()), (Some(2), Some(1)));
    let run = term.run(&["summary"]).await.expect(0);
    assert!(run.stdout.starts_with("2 tasks: 2 pending, 0 completed; 1 overdue"), "{run:?}");
}

async fn titles_ids(term: &Terminal, title: &str) -> String {
    let all = term.run(&["tasks", "list", "--json", "-q", title]).await.expect(0).json();
    all[0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn fr_003_completions_and_help_for_every_command() {
    // spec: 008-cli-and-mcp#FR-003
    let term = Terminal::at("http://127.0.0.1:9");
    for shell in ["bash", "zsh", "fish"] {
        let run = term.run(&["completions", shell]).await.expect(0);
        assert!(run.stdout.contains("charter") && run.stdout.contains("tasks"), "{shell}: {run:?}");
    }
    for command in [
        &["--help"][..],
        &["tasks", "--help"],
        &["tasks", "edit", "--help"],
        &["mcp", "--help"],
        &["tags", "rename", "--help"],
    ] {
        let run = term.run(command).await.expect(0);
        assert!(run.stdout.contains("Usage: charter"), "{command:?}: {run:?}");
    }
    term.run(&["completions", "tcsh-of-the-future"]).await.expect(2);
    term.run(&[]).await.expect(2);
}

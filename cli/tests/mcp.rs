//! rmcp's own client against `charter mcp`, over stdio and over
//! Streamable HTTP, with a real server on each backend.

mod terminal;

use std::process::Stdio;
use std::time::Duration;

use charter_tests::backend_test;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use serde_json::{Value, json};
use terminal::Terminal;

type McpClient = RunningService<RoleClient, ()>;

const TOOLS: [&str; 10] = [
    "add_task",
    "list_tasks",
    "get_task",
    "update_task",
    "complete_task",
    "delete_task",
    "task_summary",
    "list_tags",
    "rename_tag",
    "delete_tag",
];

fn checked_in_tools() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/contracts/mcp-tools.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the tool list is checked in")).expect("JSON")
}

#[test]
fn fr_006_the_checked_in_tool_list_is_the_one_the_binary_serves() {
    // spec: 008-cli-and-mcp#FR-006
    // spec: 008-cli-and-mcp#SC-002
    let output =
        std::process::Command::new(terminal::BINARY).args(["mcp", "--list-tools"]).output().expect("runs");
    assert!(output.status.success(), "{output:?}");
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(
        printed == checked_in_tools(),
        "specs/contracts/mcp-tools.json is stale: regenerate it with \
         `cargo run -p charter-cli -- mcp --list-tools > specs/contracts/mcp-tools.json` (as the Specs Agent)"
    );
}

/// One call, which must reach the tool (a tool error is still a result).
async fn call(client: &McpClient, name: &'static str, arguments: Value) -> CallToolResult {
    let Value::Object(arguments) = arguments else { panic!("arguments are an object") };
    client
        .call_tool(CallToolRequestParams::new(name).with_arguments(arguments))
        .await
        .unwrap_or_else(|e| panic!("{name} was not called: {e}"))
}

/// A call that must succeed: its structured content, after checking it
/// came with a text.
async fn ok(client: &McpClient, name: &'static str, arguments: Value) -> Value {
    let result = call(client, name, arguments.clone()).await;
    assert_ne!(result.is_error, Some(true), "{name}({arguments}) failed: {result:?}");
    assert!(!text(&result).is_empty(), "{name} says something");
    result.structured_content.unwrap_or_else(|| panic!("{name} returns structured content"))
}

/// A call that must fail as a tool error: its message.
async fn refused(client: &McpClient, name: &'static str, arguments: Value) -> String {
    let result = call(client, name, arguments.clone()).await;
    assert_eq!(result.is_error, Some(true), "{name}({arguments}) should fail: {result:?}");
    text(&result)
}

fn text(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).map(|t| t.text.as_str()).collect::<Vec<_>>().join("\n")
}

/// A client of `charter mcp` on stdio, started as an agent would, signed
/// in through `CHARTER_TOKEN`.
async fn stdio_client(term: &Terminal, token: &str) -> McpClient {
    let mut command = term.command();
    command.env("CHARTER_TOKEN", token).arg("mcp");
    ().serve(TokioChildProcess::new(command).expect("charter mcp starts")).await.expect("MCP session")
}

backend_test!(fr_005_every_tool_over_stdio, async |server| {
    // spec: 008-cli-and-mcp#FR-005
    // spec: 008-cli-and-mcp#SC-001
    // spec: 008-cli-and-mcp#FR-007
    let (_, ada) = server.user("Ada").await;
    let term = Terminal::new(server);
    let client = stdio_client(&term, &ada.access_token).await;

    // The tools, each with the schema of the checked-in list (which
    // check-specs holds to the contract).
    let tools = client.list_all_tools().await.expect("tools");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, TOOLS);
    let listed = checked_in_tools();
    for tool in &tools {
        let entry =
            listed["tools"].as_array().unwrap().iter().find(|t| t["name"] == tool.name.as_ref()).unwrap();
        assert_eq!(Value::Object(tool.input_schema.as_ref().clone()), entry["input_schema"], "{}", tool.name);
    }
    let contract: Value = serde_json::from_str(api_client::CONTRACT).unwrap();
    let add = &tools[0].input_schema;
    let create = contract["components"]["schemas"]["TaskCreate"]["properties"].as_object().unwrap();
    assert_eq!(
        add["properties"].as_object().unwrap().keys().collect::<Vec<_>>(),
        create.keys().collect::<Vec<_>>()
    );
    assert_eq!(add["properties"]["title"], create["title"]);

    let rent = ok(
        &client,
        "add_task",
        json!({ "title": "Pay rent", "due_date": "2026-12-31", "priority": "high", "tags": ["bills"], "description": "Before the 1st" }),
    )
    .await;
    let id = rent["id"].as_str().unwrap().to_owned();
    assert_eq!(rent["user_id"], ada.user.id.as_str());
    let water = ok(
        &client,
        "add_task",
        json!({ "title": "Water plants", "due_date": "2026-12-07", "recurrence": "FREQ=WEEKLY" }),
    )
    .await;

    let found = ok(&client, "list_tasks", json!({ "q": "rent" })).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let first = ok(&client, "list_tasks", json!({ "limit": 1, "sort": "title", "order": "desc" })).await;
    assert_eq!(first["items"][0]["title"], "Water plants");
    let token = first["next_page"].as_str().expect("a second page");
    let second = ok(&client, "list_tasks", json!({ "limit": 1, "page_token": token })).await;
    assert_eq!(second["items"][0]["title"], "Pay rent");
    assert_eq!(ok(&client, "get_task", json!({ "task_id": id })).await["title"], "Pay rent");

    // An update keeps what it is not given; null clears.
    let updated = ok(&client, "update_task", json!({ "task_id": id, "title": "Pay the rent" })).await;
    assert_eq!(
        (&updated["description"], &updated["due_date"], &updated["tags"]),
        (&json!("Before the 1st"), &json!("2026-12-31"), &json!(["bills"]))
    );
    let updated =
        ok(&client, "update_task", json!({ "task_id": id, "title": "Pay the rent", "description": null }))
            .await;
    assert_eq!(updated.get("description"), None);

    // Completion states the outcome, so a retry changes nothing.
    assert_eq!(ok(&client, "complete_task", json!({ "task_id": id })).await["completed"], true);
    assert_eq!(ok(&client, "complete_task", json!({ "task_id": id })).await["completed"], true);
    assert_eq!(
        ok(&client, "complete_task", json!({ "task_id": id, "completed": false })).await["completed"],
        false
    );
    let next = ok(&client, "complete_task", json!({ "task_id": water["id"] })).await;
    assert_eq!((&next["completed"], &next["due_date"]), (&json!(false), &json!("2026-12-14")));

    let summary = ok(&client, "task_summary", json!({ "tz": "Europe/Paris" })).await;
    assert_eq!((summary["total"].as_u64(), summary["pending"].as_u64()), (Some(2), Some(2)));
    assert_eq!(ok(&client, "list_tags", json!({})).await["items"][0]["name"], "bills");
    assert_eq!(ok(&client, "rename_tag", json!({ "tag": "bills", "name": "money" })).await["name"], "money");
    ok(&client, "delete_tag", json!({ "tag": "money" })).await;
    assert_eq!(ok(&client, "list_tags", json!({})).await["items"], json!([]));

    // Bad inputs: the API's message, or what is wrong with the arguments.
    let message = refused(&client, "add_task", json!({ "title": "   " })).await;
    assert!(message.contains("title"), "{message}");
    let message = refused(&client, "add_task", json!({ "title": "Paint", "colour": "red" })).await;
    assert!(message.contains("unknown field"), "{message}");
    let message = refused(&client, "get_task", json!({ "task_id": "not-an-id" })).await;
    assert!(message.contains("task_id"), "{message}");
    refused(&client, "list_tasks", json!({ "status": "sideways" })).await;
    let unknown = client.call_tool(CallToolRequestParams::new("drop_tables")).await;
    assert!(unknown.is_err(), "an unknown tool is a protocol error: {unknown:?}");

    assert_eq!(ok(&client, "delete_task", json!({ "task_id": id })).await["deleted"], true);
    let message = refused(&client, "get_task", json!({ "task_id": id })).await;
    assert!(!message.is_empty());
    client.cancel().await.expect("the session ends");
});

/// `charter mcp --http` in a process of its own, killed when dropped.
struct HttpServer {
    _child: machine::ChildGuard,
    url: String,
    log: machine::ChildLog,
}

impl HttpServer {
    fn start(term: &Terminal) -> HttpServer {
        let mut child = machine::ChildGuard(
            term.std_command()
                .args(["mcp", "--http", "127.0.0.1:0"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("charter mcp --http starts"),
        );
        let log = machine::ChildLog::follow(&mut child.0, "serving MCP on http://").expect("stderr is piped");
        let Some(address) = log.marked(Duration::from_secs(30)) else {
            panic!("charter mcp did not start listening:\n{}", log.text())
        };
        HttpServer { _child: child, url: format!("http://{address}"), log }
    }

    async fn client(&self, token: &str) -> McpClient {
        let config = StreamableHttpClientTransportConfig::with_uri(self.url.as_str()).auth_header(token);
        ().serve(StreamableHttpClientTransport::from_config(config)).await.expect("MCP session over HTTP")
    }
}

backend_test!(fr_004_over_http_each_caller_reaches_only_their_own_tasks, async |server| {
    // spec: 008-cli-and-mcp#FR-004
    // spec: 008-cli-and-mcp#FR-007
    let (_, ada) = server.user("Ada").await;
    let (_, bo) = server.user("Bo").await;
    let term = Terminal::new(server);
    let mcp = HttpServer::start(&term);
    let ada_client = mcp.client(&ada.access_token).await;
    let bo_client = mcp.client(&bo.access_token).await;

    let task = ok(&ada_client, "add_task", json!({ "title": "Ada's secret" })).await;
    let id = task["id"].clone();
    assert_eq!(ok(&bo_client, "list_tasks", json!({})).await["items"], json!([]));
    for (tool, arguments) in [
        ("get_task", json!({ "task_id": id })),
        ("update_task", json!({ "task_id": id, "title": "Bo's now" })),
        ("complete_task", json!({ "task_id": id })),
        ("delete_task", json!({ "task_id": id })),
    ] {
        refused(&bo_client, tool, arguments).await;
    }
    assert_eq!(ok(&bo_client, "task_summary", json!({})).await["total"], 0);
    let mine = ok(&ada_client, "get_task", json!({ "task_id": id })).await;
    assert_eq!(
        (&mine["title"], &mine["completed"], &mine["version"]),
        (&json!("Ada's secret"), &json!(false), &json!(1))
    );

    // No token, another host, another path: refused before any tool runs.
    let http = reqwest::Client::new();
    let initialize = json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": { "name": "probe", "version": "1" } } });
    let post = |url: String| {
        http.post(url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(initialize.to_string())
    };
    let status = |response: reqwest::Response| response.status().as_u16();
    assert_eq!(status(post(mcp.url.clone()).send().await.unwrap()), 401, "{}", mcp.log.text());
    let foreign = post(mcp.url.clone()).bearer_auth(&ada.access_token).header("host", "charter.evil.example");
    assert_eq!(status(foreign.send().await.unwrap()), 403);
    let elsewhere = post(mcp.url.replace("/mcp", "/other")).bearer_auth(&ada.access_token);
    assert_eq!(status(elsewhere.send().await.unwrap()), 404);
    assert_eq!(status(post(mcp.url.clone()).bearer_auth(&ada.access_token).send().await.unwrap()), 200);

    // A token the API refuses reaches nothing: the tool says why.
    let stranger = mcp.client("not-a-token").await;
    let message = refused(&stranger, "list_tasks", json!({})).await;
    assert!(message.contains("JWT"), "{message}");
});

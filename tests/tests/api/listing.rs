//! Lists: filters, sorts, pages, and the order the domain defines.

use super::*;

// spec: 001-task-service#FR-026
backend_test!(pagination_walks_every_task_once, async |server| {
    let (client, session) = server.user("Page").await;
    let me = session.user.id.as_str();
    let mut created = Vec::new();
    for i in 0..25 {
        created.push(create(&client, me, new_task(format!("task {i:02}"))).await.id);
    }
    let first = client.task_list().user_id(me).limit(10).send().await.expect("page 1").into_inner();
    assert_eq!(first.items.len(), 10);
    let token = first.next_page.clone().expect("more pages");
    let second =
        client.task_list().user_id(me).limit(10).page_token(token).send().await.expect("page 2").into_inner();
    assert_eq!(second.items.len(), 10);
    let third = client
        .task_list()
        .user_id(me)
        .limit(10)
        .page_token(second.next_page.clone().expect("third page"))
        .send()
        .await
        .expect("page 3")
        .into_inner();
    assert_eq!(third.items.len(), 5);
    assert_eq!(third.next_page, None, "no token after the last page");
    let walked: Vec<_> = first.items.iter().chain(&second.items).chain(&third.items).map(|t| t.id).collect();
    assert_eq!(walked, created, "created order, each task once");

    let streamed: Vec<Task> =
        client.task_list().user_id(me).limit(7).stream().try_collect().await.expect("stream");
    assert_eq!(streamed.iter().map(|t| t.id).collect::<Vec<_>>(), created);

    // A limit over 100 is clamped, not refused.
    for _ in 25..105 {
        create(&client, me, new_task("more")).await;
    }
    let big = client.task_list().user_id(me).limit(1000).send().await.expect("clamped").into_inner();
    assert_eq!(big.items.len(), 100);
    assert!(big.next_page.is_some());
});

// spec: 001-task-service#FR-025
backend_test!(filters_and_sorts, async |server| {
    let (client, session) = server.user("Sorter").await;
    let me = session.user.id.as_str();
    let date = |d| NaiveDate::from_ymd_opt(2031, 3, d);
    let specs = [("banana", date(3)), ("Apple", None), ("cherry", date(1)), ("apricot", date(2))];
    let mut tasks = Vec::new();
    for (title, due_date) in specs {
        tasks.push(create(&client, me, TaskCreate { due_date, ..new_task(title) }).await);
    }
    client
        .task_complete()
        .user_id(me)
        .task_id(tasks[2].id)
        .body(TaskCompletion { completed: Some(true) })
        .send()
        .await
        .expect("complete cherry");

    let titles = |items: Vec<Task>| items.into_iter().map(|t| t.title).collect::<Vec<_>>();
    let list = |status, sort, order| {
        client
            .task_list()
            .user_id(me)
            .status(status)
            .sort(sort)
            .order(order)
            .limit(2)
            .stream()
            .try_collect::<Vec<_>>()
    };
    use SortOrder::{Asc, Desc};
    use TaskSort::{Created, DueDate, Title, Updated};
    use TaskStatusFilter::{All, Completed, Pending};
    assert_eq!(
        titles(list(All, Title, Asc).await.expect("title asc")),
        ["Apple", "apricot", "banana", "cherry"]
    );
    assert_eq!(
        titles(list(All, Title, Desc).await.expect("title desc")),
        ["cherry", "banana", "apricot", "Apple"]
    );
    assert_eq!(
        titles(list(All, DueDate, Asc).await.expect("due asc")),
        ["cherry", "apricot", "banana", "Apple"]
    );
    assert_eq!(
        titles(list(All, DueDate, Desc).await.expect("due desc")),
        ["Apple", "banana", "apricot", "cherry"]
    );
    assert_eq!(
        titles(list(All, Created, Desc).await.expect("created desc")),
        ["apricot", "cherry", "Apple", "banana"]
    );
    assert_eq!(titles(list(Pending, Created, Asc).await.expect("pending")), ["banana", "Apple", "apricot"]);
    assert_eq!(titles(list(Completed, Title, Asc).await.expect("completed")), ["cherry"]);
    // The most recently changed task comes last by `updated`.
    assert_eq!(
        titles(list(All, Updated, Asc).await.expect("updated")).last().map(String::as_str),
        Some("cherry")
    );
});

// spec: 001-task-service#FR-026
backend_test!(long_titles_paginate_and_a_stale_title_token_is_refused, async |server| {
    let (client, session) = server.user("Long").await;
    let me = session.user.id.as_str();
    // 200 three-byte characters: far longer than a page token may carry.
    let titles = ["一".repeat(200), "二".repeat(200), "\"quoted\" ".repeat(20)];
    for title in &titles {
        create(&client, me, new_task(title)).await;
    }
    let walked: Vec<Task> = client
        .task_list()
        .user_id(me)
        .sort(TaskSort::Title)
        .limit(1)
        .stream()
        .try_collect()
        .await
        .expect("walk");
    assert_eq!(walked.len(), 3);

    let first = client
        .task_list()
        .user_id(me)
        .sort(TaskSort::Title)
        .limit(1)
        .send()
        .await
        .expect("page")
        .into_inner();
    let token = first.next_page.expect("more");
    client.task_delete().user_id(me).task_id(first.items[0].id).send().await.expect("delete");
    let stale = client.task_list().user_id(me).limit(1).page_token(token).send().await;
    let (status, body) = refused("task_list", stale);
    assert_eq!((status, body.error_code.as_deref()), (400, Some("StalePageToken")));
});

// spec: 001-task-service#FR-018, 001-task-service#FR-024
// The list reads tasks through a different path from a single view (one
// JSON row per page): both must answer the same tasks, text and all.
backend_test!(lists_carry_every_field_as_stored, async |server| {
    let (client, session) = server.user("Fields").await;
    let me = session.user.id.as_str();
    let awkward = create(
        &client,
        me,
        TaskCreate {
            description: Some("line one\nline two\ttab \r\n\"end\" \\u0000 literally".into()),
            due_date: NaiveDate::from_ymd_opt(2031, 2, 28),
            ..new_task("\"Quoted\" \\ back\\slash, ünïcødé, 日本語, emoji 🚀, </script>")
        },
    )
    .await;
    let plain = create(&client, me, new_task("plain")).await;
    let done = client
        .task_complete()
        .user_id(me)
        .task_id(plain.id)
        .body(TaskCompletion { completed: Some(true) })
        .send()
        .await
        .expect("complete")
        .into_inner();
    let listed = all_tasks(&client, me).await;
    let view = |task: &Task| serde_json::to_value(task).expect("json");
    assert_eq!(listed.iter().map(view).collect::<Vec<_>>(), [view(&awkward), view(&done)]);
    assert!(done.completed && done.completed_at.is_some());
});

// spec: 001-task-service#FR-025, 001-task-service#FR-026
// The store's SQL and the domain's comparator are two statements of one
// order: over a few hundred varied tasks, every filter, sort and
// direction must list them exactly as `charter_domain::listing::compare`
// sorts them.
backend_test!(the_server_lists_in_the_domain_order, async |server| {
    use charter_domain::listing::{TaskKeys, compare, matches};
    let (client, session) = server.user("Order").await;
    let me = session.user.id.as_str();
    // A fixed pseudo-random sequence: varied, and the same on every run.
    let mut seed: u64 = 0x5eed;
    let mut next = move |bound: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % bound
    };
    let words = ["apple", "Apple", "banana", "Été", "zebra", "Zulu", "ägypten", "1st", "_x", "éclair", "b"];
    for i in 0..240 {
        let title = format!("{} {}", words[next(words.len() as u64) as usize], next(4));
        let due_date = (next(3) > 0)
            .then(|| NaiveDate::from_ymd_opt(2026, 1 + next(12) as u32, 1 + next(28) as u32).expect("date"));
        let task = create(&client, me, TaskCreate { due_date, ..new_task(title) }).await;
        if i % 3 == 0 {
            client
                .task_complete()
                .user_id(me)
                .task_id(task.id)
                .body(TaskCompletion { completed: Some(true) })
                .send()
                .await
                .expect("complete");
        }
    }
    let everything = all_tasks(&client, me).await;
    assert_eq!(everything.len(), 240);
    for status in [TaskStatusFilter::All, TaskStatusFilter::Pending, TaskStatusFilter::Completed] {
        for sort in [TaskSort::Created, TaskSort::Updated, TaskSort::Title, TaskSort::DueDate] {
            for order in [SortOrder::Asc, SortOrder::Desc] {
                let listed: Vec<Task> = client
                    .task_list()
                    .user_id(me)
                    .status(status)
                    .sort(sort)
                    .order(order)
                    .limit(std::num::NonZeroU32::new(37).expect("non-zero"))
                    .stream()
                    .try_collect()
                    .await
                    .expect("list");
                let mut expected: Vec<&Task> =
                    everything.iter().filter(|t| matches(status, t.completed)).collect();
                expected.sort_by(|a, b| compare(&TaskKeys::from(*a), &TaskKeys::from(*b), sort, order));
                let listed: Vec<Uuid> = listed.iter().map(|t| t.id).collect();
                let expected: Vec<Uuid> = expected.iter().map(|t| t.id).collect();
                assert_eq!(listed, expected, "{status} by {sort} {order}");
            }
        }
    }
});

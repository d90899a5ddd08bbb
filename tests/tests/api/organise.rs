//! Priorities, tags, search, the summary, recurrence and reminders
//! (feature 005-organise-and-plan), on both backends.

use super::*;
use charter_domain::calendar;
use charter_domain::listing::{TaskFilter, TaskKeys, compare};
use charter_domain::organise::TaskPriority;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

async fn list(
    client: &Client,
    me: &str,
    build: impl Fn(api_client::builder::TaskList<'_>) -> api_client::builder::TaskList<'_>,
) -> Vec<Task> {
    build(client.task_list().user_id(me)).stream().try_collect().await.expect("list")
}

fn titles(tasks: &[Task]) -> Vec<&str> {
    tasks.iter().map(|t| t.title.as_str()).collect()
}

async fn complete(client: &Client, me: &str, id: Uuid) -> Task {
    client
        .task_complete()
        .user_id(me)
        .task_id(id)
        .body(TaskCompletion { completed: Some(true) })
        .send()
        .await
        .expect("complete")
        .into_inner()
}

// spec: 005-organise-and-plan#FR-001, 005-organise-and-plan#FR-002, 005-organise-and-plan#FR-010, 005-organise-and-plan#FR-013
backend_test!(priorities_and_tags_organise_the_list, async |server| {
    let (client, session) = server.user("Organiser").await;
    let me = session.user.id.as_str();
    let rent = create(
        &client,
        me,
        TaskCreate {
            priority: Some(TaskPriority::High),
            tags: Some(vec![" Work ".into(), "home".into(), "WORK".into()]),
            ..new_task("Pay rent")
        },
    )
    .await;
    assert_eq!(rent.priority, TaskPriority::High);
    assert_eq!(rent.tags, ["home", "Work"], "trimmed, one per spelling, sorted ignoring case");
    assert_eq!(rent.version, 1);
    let report = create(
        &client,
        me,
        TaskCreate {
            tags: Some(vec!["WORK".into()]),
            priority: Some(TaskPriority::Low),
            ..new_task("Report")
        },
    )
    .await;
    assert_eq!(report.tags, ["Work"], "the first spelling is kept");
    create(&client, me, TaskCreate { priority: Some(TaskPriority::Medium), ..new_task("Call mum") }).await;
    create(&client, me, new_task("Someday")).await;

    let by_priority = list(&client, me, |l| l.sort(TaskSort::Priority).order(SortOrder::Desc)).await;
    assert_eq!(titles(&by_priority), ["Pay rent", "Call mum", "Report", "Someday"]);
    let urgent = list(&client, me, |l| l.priority("high,medium")).await;
    assert_eq!(titles(&urgent), ["Pay rent", "Call mum"]);
    let work_at_home = list(&client, me, |l| l.tag("work,HOME")).await;
    assert_eq!(titles(&work_at_home), ["Pay rent"], "a task must have every tag");

    let tags = client.tag_list().user_id(me).send().await.expect("tags").into_inner().items;
    let counted: Vec<_> = tags.iter().map(|t| (t.name.as_str(), t.pending, t.total)).collect();
    assert_eq!(counted, [("home", 1, 1), ("Work", 2, 2)]);
});

// spec: 005-organise-and-plan#FR-002, 005-organise-and-plan#FR-011, 005-organise-and-plan#FR-017
backend_test!(bad_priorities_tags_and_filters_are_refused_and_write_nothing, async |server| {
    let (client, session) = server.user("Strict").await;
    let me = session.user.id.as_str();
    let kept = create(&client, me, TaskCreate { tags: Some(vec!["keep".into()]), ..new_task("Kept") }).await;
    let many: Vec<String> = (0..21).map(|i| format!("tag{i}")).collect();
    for (tags, code) in [
        (many, "InvalidTags"),
        (vec!["x".repeat(33)], "InvalidTag"),
        (vec!["a,b".into()], "InvalidTag"),
        (vec!["   ".into()], "InvalidTag"),
        (vec!["bell\u{7}".into()], "InvalidTag"),
    ] {
        let (status, body) = refused(
            "task_create",
            client
                .task_create()
                .user_id(me)
                .body(TaskCreate { tags: Some(tags.clone()), ..new_task("x") })
                .send()
                .await,
        );
        assert_eq!((status, body.error_code.as_deref()), (400, Some(code)), "{tags:?}: {}", body.message);
        let update = TaskUpdate { tags: Some(tags), ..update_of(&kept) };
        let (status, _) = refused(
            "task_update",
            client.task_update().user_id(me).task_id(kept.id).body(update).send().await,
        );
        assert_eq!(status, 400);
    }
    let listed = all_tasks(&client, me).await;
    assert_eq!(listed.len(), 1, "nothing was created");
    assert_eq!(
        (listed[0].version, listed[0].tags.clone()),
        (1, vec!["keep".to_owned()]),
        "nothing was changed"
    );

    let too_many_tags: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    for (result, parameter) in [
        (client.task_list().user_id(me).priority("urgent").send().await, "priority"),
        (client.task_list().user_id(me).tag(too_many_tags.join(",")).send().await, "tag"),
        (client.task_list().user_id(me).tag("a,,b").send().await, "tag"),
        (client.task_list().user_id(me).q("--").send().await, "q"),
        (client.task_list().user_id(me).q("a".repeat(201)).send().await, "q"),
        (client.task_list().user_id(me).tz("Mars/Olympus").send().await, "tz"),
        (
            client
                .task_list()
                .user_id(me)
                .due_after(date(2027, 2, 1))
                .due_before(date(2027, 1, 1))
                .send()
                .await,
            "due_after",
        ),
    ] {
        let (status, body) = refused("task_list", result);
        assert_eq!(status, 400);
        assert!(body.message.contains(parameter), "{parameter}: {}", body.message);
    }
});

fn update_of(task: &Task) -> TaskUpdate {
    TaskUpdate {
        description: task.description.clone(),
        due_date: task.due_date,
        ..replacement(task.title.clone())
    }
}

// spec: 005-organise-and-plan#FR-009
backend_test!(search_ignores_case_and_accents_and_matches_prefixes, async |server| {
    let (client, session) = server.user("Searcher").await;
    let me = session.user.id.as_str();
    create(&client, me, new_task("Café crème")).await;
    create(
        &client,
        me,
        TaskCreate { description: Some("Ask Zoë about the e-mail".into()), ..new_task("Call the bank") },
    )
    .await;
    create(&client, me, new_task("Cafeteria menu")).await;
    let (other, other_session) = server.user("Eve").await;
    create(&other, &other_session.user.id, new_task("Café au lait")).await;

    for (q, expected) in [
        ("cafe cr", vec!["Café crème"]),
        ("CAFÉ", vec!["Café crème", "Cafeteria menu"]),
        ("café crème", vec!["Café crème"]),
        ("ban", vec!["Call the bank"]),
        ("zoe", vec!["Call the bank"]),
        ("mail e", vec!["Call the bank"]),
        ("bank zoë", vec!["Call the bank"]),
        ("cre cafe", vec![]),
        ("lait", vec![]),
    ] {
        let found = list(&client, me, |l| l.q(q)).await;
        assert_eq!(titles(&found), expected, "q={q}");
    }
    // Edits are searchable at once.
    let menu = list(&client, me, |l| l.q("menu")).await.remove(0);
    client
        .task_update()
        .user_id(me)
        .task_id(menu.id)
        .body(TaskUpdate { title: "Canteen plan".into(), ..update_of(&menu) })
        .send()
        .await
        .expect("update");
    assert!(list(&client, me, |l| l.q("menu")).await.is_empty());
    assert_eq!(titles(&list(&client, me, |l| l.q("canteen")).await), ["Canteen plan"]);
});

// spec: 005-organise-and-plan#FR-008, 005-organise-and-plan#FR-023
backend_test!(page_tokens_carry_every_filter, async |server| {
    let (client, session) = server.user("Pager").await;
    let me = session.user.id.as_str();
    for i in 0..40 {
        let priority =
            [TaskPriority::None, TaskPriority::Low, TaskPriority::Medium, TaskPriority::High][i % 4];
        let tags =
            if i % 3 == 0 { vec!["Work".to_owned(), "errands".to_owned()] } else { vec!["home".to_owned()] };
        let title = if i % 2 == 0 { format!("Éxport report {i}") } else { format!("Other {i}") };
        let due_date = Some(date(2027, 1, 1 + (i % 28) as u32));
        create(
            &client,
            me,
            TaskCreate { priority: Some(priority), tags: Some(tags), due_date, ..new_task(&title) },
        )
        .await;
    }
    let everything = all_tasks(&client, me).await;
    let filter = TaskFilter::from_scan(&charter_domain::listing::TaskScanParams {
        q: Some("export rep".into()),
        priority: Some("high,none".into()),
        tag: Some("work".into()),
        due_after: Some(date(2027, 1, 2)),
        ..Default::default()
    })
    .expect("filter");
    let today = date(2027, 1, 1);
    let mut expected: Vec<&Task> =
        everything.iter().filter(|t| filter.admits(&TaskKeys::from(*t), today)).collect();
    expected.sort_by(|a, b| {
        compare(&TaskKeys::from(*a), &TaskKeys::from(*b), TaskSort::Priority, SortOrder::Desc)
    });
    assert!(expected.len() >= 3, "the filter leaves several pages of one");

    let mut pages = vec![
        client
            .task_list()
            .user_id(me)
            .q("export rep")
            .priority("high,none")
            .tag("work")
            .due_after(date(2027, 1, 2))
            .sort(TaskSort::Priority)
            .order(SortOrder::Desc)
            .limit(1)
            .send()
            .await
            .expect("first page")
            .into_inner(),
    ];
    while let Some(token) = pages.last().and_then(|p| p.next_page.clone()) {
        // The token alone: no filter is sent again.
        pages.push(
            client
                .task_list()
                .user_id(me)
                .limit(1)
                .page_token(token)
                .send()
                .await
                .expect("page")
                .into_inner(),
        );
    }
    let paged: Vec<Uuid> = pages.iter().flat_map(|p| p.items.iter().map(|t| t.id)).collect();
    assert_eq!(paged, expected.iter().map(|t| t.id).collect::<Vec<_>>());
});

// spec: 005-organise-and-plan#FR-012, 005-organise-and-plan#FR-023
backend_test!(summary_agrees_with_counts_by_listing, async |server| {
    let (client, session) = server.user("Counter").await;
    let me = session.user.id.as_str();
    let tz = "Pacific/Kiritimati";
    let today = calendar::today(calendar::time_zone(Some(tz)).expect("zone"), Utc::now());
    let day = chrono::Duration::days(1);
    for (title, due, priority, tags, done) in [
        ("yesterday", Some(today - day), TaskPriority::High, vec!["Work"], false),
        ("today", Some(today), TaskPriority::High, vec!["work", "home"], false),
        ("tomorrow", Some(today + day), TaskPriority::Low, vec![], false),
        ("done late", Some(today - day), TaskPriority::None, vec!["home"], true),
        ("undated", None, TaskPriority::None, vec![], false),
    ] {
        let created = create(
            &client,
            me,
            TaskCreate {
                due_date: due,
                priority: Some(priority),
                tags: Some(tags.into_iter().map(str::to_owned).collect()),
                ..new_task(title)
            },
        )
        .await;
        if done {
            complete(&client, me, created.id).await;
        }
    }
    let summary = client.task_summary().user_id(me).tz(tz).send().await.expect("summary").into_inner();
    assert_eq!(summary.today, today);
    let pending = list(&client, me, |l| l.status(TaskStatusFilter::Pending)).await;
    let overdue = list(&client, me, |l| l.overdue(true).tz(tz)).await;
    assert_eq!(titles(&overdue), ["yesterday"]);
    assert_eq!(
        (summary.total, summary.pending, summary.completed, summary.overdue, summary.due_today),
        (5, pending.len() as u64, 1, overdue.len() as u64, 1)
    );
    for count in &summary.priorities {
        let by_listing = list(&client, me, |l| l.priority(count.priority.to_string())).await;
        assert_eq!(count.total, by_listing.len() as u64, "{}", count.priority);
        assert_eq!(count.pending, by_listing.iter().filter(|t| !t.completed).count() as u64);
    }
    let tags: Vec<_> = summary.tags.iter().map(|t| (t.name.as_str(), t.pending, t.total)).collect();
    assert_eq!(tags, [("home", 1, 2), ("Work", 2, 2)]);
    // Another zone, another today: Pago Pago is 25 hours behind Kiritimati,
    // so its today is one or two days earlier, depending on the hour.
    let west =
        client.task_summary().user_id(me).tz("Pacific/Pago_Pago").send().await.expect("summary").into_inner();
    let pago_pago =
        calendar::today(calendar::time_zone(Some("Pacific/Pago_Pago")).expect("zone"), Utc::now());
    assert!(pago_pago < today);
    assert_eq!(west.today, pago_pago);
    assert_eq!(west.overdue, 0);
    let (status, body) =
        refused("task_summary", client.task_summary().user_id(me).tz("Mars/Olympus").send().await);
    assert_eq!((status, body.error_code.as_deref()), (400, Some("InvalidTimeZone")));
});

// spec: 005-organise-and-plan#FR-003, 005-organise-and-plan#FR-004, 005-organise-and-plan#FR-023
backend_test!(recurring_tasks_move_to_their_next_date, async |server| {
    let (client, session) = server.user("Routine").await;
    let me = session.user.id.as_str();
    // 2027-01-04 is a Monday.
    let plants = create(
        &client,
        me,
        TaskCreate {
            due_date: Some(date(2027, 1, 4)),
            recurrence: Some("rrule:freq=weekly;byday=mo,th".into()),
            remind_at: Some("2027-01-04T08:00:00Z".parse().expect("time")),
            ..new_task("Water the plants")
        },
    )
    .await;
    assert_eq!(plants.recurrence.as_deref(), Some("FREQ=WEEKLY;BYDAY=MO,TH"), "canonical form");
    let next = complete(&client, me, plants.id).await;
    assert_eq!(
        (next.completed, next.due_date, next.occurrences_completed),
        (false, Some(date(2027, 1, 7)), 1)
    );
    assert_eq!(next.remind_at, Some("2027-01-07T08:00:00Z".parse().expect("time")), "the reminder moves too");
    assert_eq!(next.version, plants.version + 1);
    let next = complete(&client, me, plants.id).await;
    assert_eq!(next.due_date, Some(date(2027, 1, 11)));

    let rent = create(
        &client,
        me,
        TaskCreate {
            due_date: Some(date(2027, 1, 31)),
            recurrence: Some("FREQ=MONTHLY".into()),
            ..new_task("Rent")
        },
    )
    .await;
    let march = complete(&client, me, rent.id).await;
    assert_eq!(march.due_date, Some(date(2027, 3, 31)), "no 31 February");
    // Completing through an update repeats the same way (and April has no 31st either).
    let may = client
        .task_update()
        .user_id(me)
        .task_id(rent.id)
        .body(TaskUpdate { completed: Some(true), ..update_of(&march) })
        .send()
        .await
        .expect("update")
        .into_inner();
    assert_eq!((may.completed, may.due_date, may.occurrences_completed), (false, Some(date(2027, 5, 31)), 2));

    let twice = create(
        &client,
        me,
        TaskCreate {
            due_date: Some(date(2027, 1, 1)),
            recurrence: Some("FREQ=DAILY;COUNT=2".into()),
            ..new_task("Twice")
        },
    )
    .await;
    let first = complete(&client, me, twice.id).await;
    assert_eq!((first.completed, first.due_date), (false, Some(date(2027, 1, 2))));
    let last = complete(&client, me, twice.id).await;
    assert_eq!(
        (last.completed, last.due_date, last.occurrences_completed),
        (true, Some(date(2027, 1, 2)), 2)
    );
    assert!(last.completed_at.is_some());

    let until = create(
        &client,
        me,
        TaskCreate {
            due_date: Some(date(2027, 1, 6)),
            recurrence: Some("FREQ=WEEKLY;UNTIL=20270110".into()),
            ..new_task("Until")
        },
    )
    .await;
    assert!(complete(&client, me, until.id).await.completed, "the next date is after UNTIL");

    for (recurrence, due_date, named) in [
        ("FREQ=HOURLY", Some(date(2027, 1, 1)), "HOURLY"),
        ("FREQ=DAILY;BYSETPOS=1", Some(date(2027, 1, 1)), "BYSETPOS"),
        ("FREQ=DAILY;COUNT=1;UNTIL=20270101", Some(date(2027, 1, 1)), "COUNT or UNTIL"),
    ] {
        let (status, body) = refused(
            "task_create",
            client
                .task_create()
                .user_id(me)
                .body(TaskCreate { due_date, recurrence: Some(recurrence.into()), ..new_task("Bad") })
                .send()
                .await,
        );
        assert_eq!(status, 400);
        assert!(body.message.contains(named), "{recurrence}: {}", body.message);
    }
    // A repeating task always has a due date: given none, the rule's
    // first date from today.
    let today = Utc::now().date_naive();
    let undated =
        create(&client, me, TaskCreate { recurrence: Some("FREQ=DAILY".into()), ..new_task("Stretch") })
            .await;
    assert!(undated.due_date.is_some_and(|d| d >= today && d <= today + chrono::Duration::days(1)));
    let next = client
        .task_update()
        .user_id(me)
        .task_id(plants.id)
        .body(TaskUpdate { due_date: None, ..update_of(&next) })
        .send()
        .await
        .expect("update")
        .into_inner();
    let due = next.due_date.expect("still dated");
    assert!(due >= today - chrono::Duration::days(1) && due <= today + chrono::Duration::days(7), "{due}");
    // Ending the repetition: the next completion completes it.
    let ended = client
        .task_update()
        .user_id(me)
        .task_id(plants.id)
        .body(TaskUpdate { recurrence: Some(String::new()), ..update_of(&next) })
        .send()
        .await
        .expect("update")
        .into_inner();
    assert_eq!(ended.recurrence, None);
    assert!(complete(&client, me, plants.id).await.completed);
});

// spec: 005-organise-and-plan#FR-005, 005-organise-and-plan#FR-006, 005-organise-and-plan#FR-007
backend_test!(reminders_follow_the_due_date_and_versions_count_changes, async |server| {
    let (client, session) = server.user("Reminded").await;
    let me = session.user.id.as_str();
    let bill = create(
        &client,
        me,
        TaskCreate {
            due_date: Some(date(2027, 3, 1)),
            remind_at: Some("2027-02-28T09:00:00Z".parse().expect("time")),
            priority: Some(TaskPriority::Medium),
            tags: Some(vec!["money".into()]),
            ..new_task("Pay the bill")
        },
    )
    .await;
    let update = |body: TaskUpdate| client.task_update().user_id(me).task_id(bill.id).body(body).send();
    // The same content again changes nothing, not even the version.
    let same = update(update_of(&bill)).await.expect("update").into_inner();
    assert_eq!((same.version, same.updated_at), (bill.version, bill.updated_at));
    // A new due date without remind_at: the reminder keeps its offset, and
    // the fields a 1.1 client does not know are kept.
    let moved = update(TaskUpdate { due_date: Some(date(2027, 3, 5)), ..update_of(&bill) })
        .await
        .expect("update")
        .into_inner();
    assert_eq!(moved.remind_at, Some("2027-03-04T09:00:00Z".parse().expect("time")));
    assert_eq!(
        (moved.priority, moved.tags.clone(), moved.version),
        (TaskPriority::Medium, vec!["money".into()], 2)
    );
    let cleared = update(TaskUpdate {
        clear_reminder: Some(true),
        priority: Some(TaskPriority::None),
        tags: Some(vec![]),
        ..update_of(&moved)
    })
    .await
    .expect("update")
    .into_inner();
    assert_eq!(
        (cleared.remind_at, cleared.priority, cleared.tags.len(), cleared.version),
        (None, TaskPriority::None, 0, 3)
    );
    // A new reminder replaces the old: it wins over clear_reminder.
    let reminded = update(TaskUpdate {
        clear_reminder: Some(true),
        remind_at: Some("2027-03-01T09:00:00Z".parse().expect("time")),
        ..update_of(&cleared)
    })
    .await
    .expect("update")
    .into_inner();
    assert_eq!(
        (reminded.remind_at, reminded.version),
        (Some("2027-03-01T09:00:00Z".parse().expect("time")), 4)
    );
    // Completing twice with the explicit state changes it once.
    let done = complete(&client, me, bill.id).await;
    assert_eq!(complete(&client, me, bill.id).await.version, done.version);
    assert_eq!(done.version, 5);
    assert!(client.tag_list().user_id(me).send().await.expect("tags").into_inner().items.is_empty());
});

// spec: 005-organise-and-plan#FR-014, 005-organise-and-plan#FR-015, 005-organise-and-plan#FR-023
backend_test!(tags_rename_merge_and_delete_everywhere, async |server| {
    let (client, session) = server.user("Tagger").await;
    let me = session.user.id.as_str();
    let a =
        create(&client, me, TaskCreate { tags: Some(vec!["work".into(), "urgent".into()]), ..new_task("A") })
            .await;
    let b = create(&client, me, TaskCreate { tags: Some(vec!["job".into()]), ..new_task("B") }).await;
    let c =
        create(&client, me, TaskCreate { tags: Some(vec!["work".into(), "job".into()]), ..new_task("C") })
            .await;
    let rename = |tag: &str, name: &str| {
        client.tag_rename().user_id(me).tag(tag).body(types::TagRename { name: name.into() }).send()
    };
    // Case only: the spelling changes on every task.
    let renamed = rename("WORK", "Work").await.expect("rename").into_inner();
    assert_eq!((renamed.name.as_str(), renamed.total), ("Work", 2));
    let view = |id| client.task_view().user_id(me).task_id(id).send();
    let a1 = view(a.id).await.expect("view").into_inner();
    assert_eq!((a1.tags.clone(), a1.version), (vec!["urgent".to_owned(), "Work".to_owned()], a.version + 1));
    // Onto an existing tag: merged, with that tag's spelling.
    let merged = rename("job", "WORK").await.expect("merge").into_inner();
    assert_eq!((merged.name.as_str(), merged.total), ("Work", 3));
    assert_eq!(view(b.id).await.expect("view").into_inner().tags, ["Work"]);
    assert_eq!(view(c.id).await.expect("view").into_inner().tags, ["Work"], "one tag, not two");
    assert_eq!(titles(&list(&client, me, |l| l.tag("job")).await), Vec::<&str>::new());
    // Deleted: off every task, no task deleted.
    client.tag_delete().user_id(me).tag("work").send().await.expect("delete");
    let left = all_tasks(&client, me).await;
    assert_eq!(left.len(), 3);
    assert_eq!(
        left.iter().map(|t| t.tags.clone()).collect::<Vec<_>>(),
        [vec!["urgent".to_owned()], vec![], vec![]]
    );
    for (status, body) in [
        refused("tag_delete", client.tag_delete().user_id(me).tag("work").send().await),
        refused("tag_rename", rename("nothing", "x").await),
    ] {
        assert_eq!((status, body.error_code.as_deref()), (404, Some("TagNotFound")));
    }
    // Any name a tag may have works in the path: slashes, spaces, accents.
    let odd =
        create(&client, me, TaskCreate { tags: Some(vec!["à faire/plus tard".into()]), ..new_task("D") })
            .await;
    let renamed = rename("À FAIRE/plus tard", "later?").await.expect("rename").into_inner();
    assert_eq!((renamed.name.as_str(), renamed.total), ("later?", 1));
    assert_eq!(view(odd.id).await.expect("view").into_inner().tags, ["later?"]);
    client.tag_delete().user_id(me).tag("LATER?").send().await.expect("delete");
    let (status, _) = refused("tag_rename", rename("urgent", "a,b").await);
    assert_eq!(status, 400);
    assert_eq!(
        view(a.id).await.expect("view").into_inner().tags,
        ["urgent"],
        "a refused rename changes nothing"
    );
});

// spec: 005-organise-and-plan#FR-016
backend_test!(no_one_reaches_another_users_tags_or_counts, async |server| {
    let (alice, alice_session) = server.user("Alice").await;
    let (mallory, _) = server.user("Mallory").await;
    let victim = alice_session.user.id.as_str();
    create(&alice, victim, TaskCreate { tags: Some(vec!["secret".into()]), ..new_task("Secret") }).await;
    let forbidden = |(status, body): (u16, types::Error)| {
        assert_eq!((status, body.error_code.as_deref()), (403, Some("Forbidden")));
    };
    forbidden(refused("task_summary", mallory.task_summary().user_id(victim).send().await));
    forbidden(refused("tag_list", mallory.tag_list().user_id(victim).send().await));
    forbidden(refused(
        "tag_rename",
        mallory
            .tag_rename()
            .user_id(victim)
            .tag("secret")
            .body(types::TagRename { name: "mine".into() })
            .send()
            .await,
    ));
    forbidden(refused("tag_delete", mallory.tag_delete().user_id(victim).tag("secret").send().await));
    forbidden(refused("task_list", mallory.task_list().user_id(victim).q("secret").send().await));
    let anonymous = server.client();
    let (status, _) = refused("tag_list", anonymous.tag_list().user_id(victim).send().await);
    assert_eq!(status, 401);
    // Mallory's own views hold nothing of Alice's.
    let own = &mallory.auth_session().send().await.expect("session").into_inner().user.id;
    let summary = mallory.task_summary().user_id(own).send().await.expect("summary").into_inner();
    assert_eq!((summary.total, summary.tags.len()), (0, 0));
    assert!(mallory.tag_list().user_id(own).send().await.expect("tags").into_inner().items.is_empty());
    let (status, _) = refused("tag_delete", mallory.tag_delete().user_id(own).tag("secret").send().await);
    assert_eq!(status, 404);
    assert!(list(&mallory, own, |l| l.q("secret")).await.is_empty());
    assert_eq!(alice.tag_list().user_id(victim).send().await.expect("tags").into_inner().items.len(), 1);
});

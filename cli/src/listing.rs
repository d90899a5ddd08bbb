//! A task list's query, as the contract names its parameters: what the
//! `list_tasks` tool takes and what `charter tasks list`'s flags fill.

use std::num::NonZeroU32;

use api_client::Client;
use charter_domain::listing::{SortOrder, TaskSort, TaskStatusFilter};
use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    pub status: Option<TaskStatusFilter>,
    pub q: Option<String>,
    pub sort: Option<TaskSort>,
    pub order: Option<SortOrder>,
    pub priority: Option<String>,
    pub tag: Option<String>,
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    pub overdue: Option<bool>,
    pub tz: Option<String>,
    pub limit: Option<NonZeroU32>,
    pub page_token: Option<String>,
}

impl TaskQuery {
    /// The `task_list` request of `user_id` with each parameter given.
    pub fn request<'a>(self, client: &'a Client, user_id: &str) -> api_client::builder::TaskList<'a> {
        let mut request = client.task_list().user_id(user_id);
        if let Some(v) = self.status {
            request = request.status(v);
        }
        if let Some(v) = self.q {
            request = request.q(v);
        }
        if let Some(v) = self.sort {
            request = request.sort(v);
        }
        if let Some(v) = self.order {
            request = request.order(v);
        }
        if let Some(v) = self.priority {
            request = request.priority(v);
        }
        if let Some(v) = self.tag {
            request = request.tag(v);
        }
        if let Some(v) = self.due_before {
            request = request.due_before(v);
        }
        if let Some(v) = self.due_after {
            request = request.due_after(v);
        }
        if let Some(v) = self.overdue {
            request = request.overdue(v);
        }
        if let Some(v) = self.tz {
            request = request.tz(v);
        }
        if let Some(v) = self.limit {
            request = request.limit(v);
        }
        if let Some(v) = self.page_token {
            request = request.page_token(v);
        }
        request
    }
}

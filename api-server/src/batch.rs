//! `task_batch` (006-safe-writes-and-sync FR-007): operations applied in
//! order in one [`UserWrite`], so the batch is all or nothing, under one
//! change number. The first operation that fails ends the batch: the write
//! is dropped (nothing is written) and the answer is that operation's
//! error, naming its index.

use charter_api::types::{BatchOperation, BatchResult, TaskBatch, TaskBatchResult, TaskCompletion};
use charter_domain::conditions::{EntityTags, task_etag};
use charter_domain::task::BATCH_MAX_OPERATIONS;

use crate::error::Error;
use crate::store::UserWrite;
use crate::tasks::{self, NewTask, Tasks};

pub async fn apply(tasks: &Tasks, user_id: &str, batch: TaskBatch) -> Result<TaskBatchResult, Error> {
    let count = batch.operations.len();
    if count == 0 || count > BATCH_MAX_OPERATIONS {
        return Err(Error::invalid(
            "InvalidBatch",
            format!("a batch holds 1 to {BATCH_MAX_OPERATIONS} operations; this one has {count}"),
        ));
    }
    let mut write = tasks.write(user_id).await?;
    let mut results = Vec::with_capacity(count);
    for (index, operation) in batch.operations.into_iter().enumerate() {
        let result = apply_one(&mut write, operation)
            .await
            .map_err(|e| Error::InOperation { index, source: Box::new(e) })?;
        results.push(result);
    }
    write.commit().await?;
    Ok(TaskBatchResult { results })
}

async fn apply_one(write: &mut UserWrite, operation: BatchOperation) -> Result<BatchResult, Error> {
    Ok(match operation {
        BatchOperation::Create { task } => {
            BatchResult::Create { task: NewTask::checked(&task)?.insert(write).await? }
        }
        BatchOperation::Update { task_id, if_match, task } => {
            let decide = tasks::update_decision(task)?;
            let task = tasks::rewrite_in(write, task_id, expected(if_match).as_ref(), decide).await?;
            BatchResult::Update { task }
        }
        BatchOperation::Complete { task_id, if_match, completed } => {
            let decide = tasks::completion_decision(TaskCompletion { completed });
            let task = tasks::rewrite_in(write, task_id, expected(if_match).as_ref(), decide).await?;
            BatchResult::Complete { task }
        }
        BatchOperation::Delete { task_id, if_match } => {
            tasks::delete_in(write, task_id, expected(if_match).as_ref()).await?;
            BatchResult::Delete { task_id }
        }
    })
}

/// An operation's `if_match` version as the entity tags `If-Match` names.
fn expected(version: Option<u64>) -> Option<EntityTags> {
    version.map(|v| EntityTags::parse(&task_etag(v)))
}

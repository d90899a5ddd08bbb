//! Placeholder: the web app arrives with its issue.

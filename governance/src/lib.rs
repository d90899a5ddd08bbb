//! Placeholder: the governance rules arrive with their issue.

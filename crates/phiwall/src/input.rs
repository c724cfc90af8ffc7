//! Reading CLI inputs: files or stdin, plain text or JSONL, with errors that name the file, the
//! line and the byte position, and never echo content.

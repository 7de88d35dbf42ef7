"""Pure methods: frames and plain objects in, frames and plain objects out; no labels, no files."""

//! `lienthong` command line.
fn main() {}

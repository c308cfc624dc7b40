#![no_main]

#[global_allocator]
static ALLOCATOR: heaplens_fuzz::limits::Counting = heaplens_fuzz::limits::Counting;

libfuzzer_sys::fuzz_target!(|data: &[u8]| heaplens_fuzz::query::run(data));

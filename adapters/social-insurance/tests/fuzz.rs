//! Fuzzing the decoder on stable Rust: every fixture mutated, and random bytes, under
//! each HTTP status, always decode to an outcome, never a panic.

lienthong_adapter_kit::fuzz_decoder!(|response| {
    lienthong_adapter_kit::mutate::decode_every_call(
        &lienthong_adapter_social_insurance::SocialInsurance,
        response,
    )
});

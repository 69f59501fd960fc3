"""Authorization, fuzzing, faults, hardening."""

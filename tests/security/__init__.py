"""Issue 10: authorization, fuzzing, faults, hardening."""

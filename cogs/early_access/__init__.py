"""Early access: `/settings early-access`, its opening timers and the early-readers stat."""

"""Secret providers: one module per provider behind `base.SecretProvider`; `registry` picks one."""

"""The bundled scenario: a deterministic, SYNTHETIC world written in the sources' official formats."""

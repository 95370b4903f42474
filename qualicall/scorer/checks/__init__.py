"""Built-in checks. Importing this package registers them all."""

from qualicall.scorer.checks import banks, closing, formula, greeting, language, reformulation, speech  # noqa: F401

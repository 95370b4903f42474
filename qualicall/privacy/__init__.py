"""Personal data redaction (cards, IBANs, phones, e-mails, names…) on Microsoft Presidio.

`redact_scored(interaction, result)` is what the product calls after scoring;
`Redactor` redacts one text; `redact_interaction` a transcript.
"""

from qualicall.privacy.redactor import RedactedText, Redaction, Redactor, deployment_redactor, placeholder
from qualicall.privacy.settings import PrivacyConfigError, RedactionSettings
from qualicall.privacy.transcripts import RedactedInteraction, redact_free_text, redact_interaction, redact_message, redact_result, redact_scored

__all__ = [
    "PrivacyConfigError",
    "RedactedInteraction",
    "RedactedText",
    "Redaction",
    "RedactionSettings",
    "Redactor",
    "deployment_redactor",
    "placeholder",
    "redact_free_text",
    "redact_interaction",
    "redact_message",
    "redact_result",
    "redact_scored",
]

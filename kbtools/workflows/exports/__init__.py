"""Feeding other systems from the same source: helpdesk macros (`macros`) and chatbot chunks (`bot`)."""

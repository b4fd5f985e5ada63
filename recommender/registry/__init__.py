"""一企一档: the enterprise registry (profiles with history, consultations, feedback, push lists)."""

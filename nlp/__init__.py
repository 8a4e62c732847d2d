"""Russian NLP: normalisation, lemmas, negation, pain categories, polarity, PII masking."""

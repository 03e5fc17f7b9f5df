"""The intake channels' adapters: email in (SMTP, IMAP), WhatsApp Cloud API, X, attachment files."""

"""The helpdesk: tickets on the institute's two-level path, channels, notifications, pages and API."""

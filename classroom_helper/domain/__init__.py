"""The live room's pure domain: people and permissions, room issues, content questions,
incidents, the queue, and the shape of every client event. No I/O here."""

"""The live room's use cases: one async function each, one transaction each."""

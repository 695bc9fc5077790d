"""The plan domain: the plan file format, its storage as versioned elements, loading and adjustment."""

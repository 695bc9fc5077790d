"""The demonstration: demo departments, accounts, settings, history and index runs (all labelled 演示数据)."""

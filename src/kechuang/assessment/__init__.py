"""Assessment: progress per indicator, task and area from approved data, the roll-ups pages and reports
share, and the reminders of what is due."""

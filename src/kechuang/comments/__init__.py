"""Public opinions (公众意见) on the plan: comments, moderation, official replies and opinion campaigns."""

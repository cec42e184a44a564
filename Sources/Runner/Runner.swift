// Runs build directories token by token (see BuildRunner).

"""Early access: members holding a role read a story's chapters hours before their release."""

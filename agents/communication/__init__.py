"""Communication: mail, calendar and messaging services and the communication delegate agent."""

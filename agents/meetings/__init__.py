"""The meetings domain (agent side). ``agent``: the pydantic-ai delegate with the meeting tools, on the
agents' ``MeetingControl`` Protocol."""

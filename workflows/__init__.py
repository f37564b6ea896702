"""The core agency's work as viewflow processes, and the inbox that carries their tasks."""

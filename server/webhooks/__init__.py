"""Webhook deliveries: signing, the address guard, the retry schedule and the worker that sends
what the outbox holds (server.services.webhook_outbox)."""

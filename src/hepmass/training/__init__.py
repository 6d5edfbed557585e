"""Training loops: settings, the minibatch loop for networks, seeding."""

from hepmass.training.config import TrainingConfig
from hepmass.training.loop import train_network

__all__ = ["TrainingConfig", "train_network"]

"""Data sets as LightningDataModules with the paper's preprocessing."""

from alexnet_lab.data.datamodules import (
    CIFAR10DataModule,
    FashionMNISTDataModule,
    InMemoryDataModule,
    SyntheticDataModule,
)

__all__ = [
    "CIFAR10DataModule",
    "FashionMNISTDataModule",
    "InMemoryDataModule",
    "SyntheticDataModule",
]

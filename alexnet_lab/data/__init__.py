"""Data sets as LightningDataModules with the paper's preprocessing."""

from alexnet_lab.data.datamodules import ImageDataModule
from alexnet_lab.data.imagefolder import (
    ImageFolderDataModule,
    ImageNetDataModule,
    ImagenetteDataModule,
)
from alexnet_lab.data.in_memory import (
    CIFAR10DataModule,
    FashionMNISTDataModule,
    InMemoryDataModule,
    SyntheticDataModule,
)

__all__ = [
    "CIFAR10DataModule",
    "FashionMNISTDataModule",
    "ImageDataModule",
    "ImageFolderDataModule",
    "ImageNetDataModule",
    "ImagenetteDataModule",
    "InMemoryDataModule",
    "SyntheticDataModule",
]

"""Data sets as LightningDataModules with the paper's preprocessing."""

from alexnet_lab.data.datamodules import (
    CIFAR10DataModule,
    FashionMNISTDataModule,
    ImageDataModule,
    InMemoryDataModule,
    SyntheticDataModule,
)
from alexnet_lab.data.imagefolder import (
    ImageFolderDataModule,
    ImageNetDataModule,
    ImagenetteDataModule,
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

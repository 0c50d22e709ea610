import pytest
import torch
import torch.nn.functional as F

from alexnet_lab.data import SyntheticDataModule
from alexnet_lab.data.transforms import center_crop, random_crop_flip, ten_crops
from alexnet_lab.models.convnet4 import ConvNet4
from alexnet_lab.module import ClassifierModule


def numbered(n=64, c=2, size=8):
    """Images whose every pixel value says where it came from."""
    return torch.arange(n * c * size * size, dtype=torch.float64).view(n, c, size, size)


def find_window(image, crop):
    """(top, left, flipped) of the window of ``image`` equal to ``crop``."""
    size = crop.shape[-1]
    for top in range(image.shape[-2] - size + 1):
        for left in range(image.shape[-1] - size + 1):
            window = image[..., top : top + size, left : left + size]
            if torch.equal(window, crop):
                return top, left, False
            if torch.equal(window.flip(-1), crop):
                return top, left, True
    raise AssertionError("crop is not a window of its image")


def test_random_crops_are_windows_of_their_own_image_random_per_image_and_per_seed():
    images = numbered()
    torch.manual_seed(0)
    crops = random_crop_flip(images, 5, flip=True)
    assert crops.shape == (64, 2, 5, 5)
    found = [find_window(img, crop) for img, crop in zip(images, crops, strict=True)]
    assert len({(top, left) for top, left, _ in found}) > 8  # offsets differ between images
    flips = sum(f for _, _, f in found)
    assert 16 < flips < 48  # about half mirrored
    torch.manual_seed(0)
    assert torch.equal(random_crop_flip(images, 5, flip=True), crops)  # reproducible per seed
    torch.manual_seed(1)
    assert not torch.equal(random_crop_flip(images, 5, flip=True), crops)


def test_ten_crops_are_the_corners_the_centre_and_their_mirrors():
    images = numbered(n=3, size=6)
    views = ten_crops(images, 4)
    assert views.shape == (10, 3, 2, 4, 4)
    assert torch.equal(views[0], images[..., :4, :4])
    assert torch.equal(views[3], images[..., 2:, 2:])
    assert torch.equal(views[4], center_crop(images, 4)) and torch.equal(
        views[4], images[..., 1:5, 1:5]
    )
    for i in range(5):
        assert torch.equal(views[5 + i], views[i].flip(-1))


def test_ten_crop_testing_averages_the_softmax_of_the_ten_views():
    torch.manual_seed(0)
    model = ConvNet4(in_channels=3, num_classes=10, image_size=24).eval()
    optim = {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.0, "schedule": "constant"}
    module = ClassifierModule(model, 10, optim, eval_crop=24, tta="ten_crop")
    images = torch.randn(4, 3, 32, 32) * 50
    with torch.no_grad():
        got = module.predict_log_probs(images, ten_crop=True).exp()
        expected = torch.stack([F.softmax(model(v), dim=1) for v in ten_crops(images, 24)]).mean(0)
        centre = module.predict_log_probs(images, ten_crop=False).exp()
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(centre, F.softmax(model(center_crop(images, 24)), dim=1))
    assert not torch.allclose(got, centre)


def test_a_cropping_datamodule_feeds_the_model_its_crop_size():
    dm = SyntheticDataModule(name="synthetic", crop=24, flip=True)
    assert dm.shape == (3, 32, 32) and dm.input_shape == (3, 24, 24)
    dm.setup()
    batch = next(iter(dm.val_dataloader()))
    images, _ = dm.on_after_batch_transfer(batch, 0)  # no trainer: an evaluation batch
    assert images.shape[-1] == 32  # stays whole: the module takes its test views


def test_unknown_tta_is_refused():
    with pytest.raises(ValueError, match="ten_crop"):
        ClassifierModule(ConvNet4(), 10, {"lr": 0.1}, tta="twelve")

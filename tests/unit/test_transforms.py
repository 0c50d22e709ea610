import pytest
import torch
import torch.nn.functional as F

from alexnet_lab.data import SyntheticDataModule
from alexnet_lab.data.transforms import center_crop, random_crop_flip, ten_crops
from alexnet_lab.engines.lightning.module import ClassifierModule
from alexnet_lab.models.convnet4 import ConvNet4


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
    batch = next(iter(dm.val_dataloader()[0]))
    images, _ = dm.on_after_batch_transfer(batch, 0)  # no trainer: an evaluation batch
    assert images.shape[-1] == 32  # stays whole: the module takes its test views


def test_unknown_tta_is_refused():
    with pytest.raises(ValueError, match="ten_crop"):
        ClassifierModule(ConvNet4(), 10, {"lr": 0.1}, tta="twelve")


def test_pca_lighting_adds_the_papers_offset_to_every_pixel():
    from alexnet_lab.data.transforms import pca_lighting, random_pca_lighting

    torch.manual_seed(0)
    images = torch.rand(4, 3, 5, 5) * 255
    eigvecs = torch.linalg.qr(torch.randn(3, 3)).Q  # orthonormal columns p1, p2, p3
    eigvals = torch.tensor([0.2, 0.02, 0.005])
    alpha = torch.randn(4, 3) * 0.1
    out = pca_lighting(images, eigvals, eigvecs, alpha, unit_scale=torch.full((3,), 255.0))
    for n in range(4):
        # [p1 p2 p3][a1 l1, a2 l2, a3 l3]^T, on the 0-1 scale, times 255 for raw input
        offset = sum(eigvecs[:, i] * alpha[n, i] * eigvals[i] for i in range(3)) * 255
        for y in range(5):
            for x in range(5):
                torch.testing.assert_close(out[n, :, y, x], images[n, :, y, x] + offset)
    torch.manual_seed(1)
    a = random_pca_lighting(images, eigvals, eigvecs)
    torch.manual_seed(1)
    assert torch.equal(a, random_pca_lighting(images, eigvals, eigvecs))  # per seed
    shifts = (a - images).mean(dim=(2, 3))
    assert not torch.allclose(shifts[0], shifts[1])  # one draw per image


def test_statistics_give_the_mean_image_and_the_rgb_covariance_eigenvectors():
    from alexnet_lab.data.image_stats import compute_stats, tensor_batches

    g = torch.Generator().manual_seed(0)
    images = (torch.rand(300, 3, 4, 4, generator=g) * 255).to(torch.uint8)
    stats = compute_stats(tensor_batches(images, chunk=64))
    x = images.double()
    torch.testing.assert_close(stats.pixel_mean.double(), x.mean(0), atol=1e-4, rtol=0)
    pixels = (x / 255).permute(1, 0, 2, 3).reshape(3, -1)
    cov = torch.cov(pixels, correction=0)
    rebuilt = stats.eigvecs.double() @ torch.diag(stats.eigvals.double()) @ stats.eigvecs.T.double()
    torch.testing.assert_close(rebuilt, cov, atol=1e-6, rtol=1e-4)
    assert stats.eigvals[0] >= stats.eigvals[1] >= stats.eigvals[2]
    torch.testing.assert_close(
        stats.channel_std.double(), (x.permute(1, 0, 2, 3).reshape(3, -1)).std(1, correction=0),
        atol=1e-3, rtol=0,
    )  # fmt: skip


def test_training_batches_get_crops_flips_and_lighting_validation_batches_none():
    dm = SyntheticDataModule(
        name="synthetic", crop=24, flip=True, lighting=True, train_size=64, val_size=32
    )
    dm.setup("fit")

    class Training:
        training = True

    dm.trainer = Training()  # type: ignore[assignment]
    images, _ = next(iter(dm.train_dataloader()))
    x, _ = dm.on_after_batch_transfer((images, torch.zeros(len(images))), 0)
    assert x.shape == (64, 3, 24, 24)
    Training.training = False
    x, _ = dm.on_after_batch_transfer((images, torch.zeros(len(images))), 0)
    torch.testing.assert_close(x, dm.normalize(images))  # whole, unshifted

"""Local file storage under racing writers of one key (two workers saving the same document)."""

import threading

from autolab import storage


def test_racing_saves_of_one_key_all_succeed_and_leave_one_whole_file(settings) -> None:
    settings.FILE_STORAGE = "local"
    bodies = [bytes([n]) * 50_000 for n in range(8)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(bodies))

    def save(body: bytes) -> None:
        start.wait()
        try:
            storage.save("race/one.bin", body, "application/octet-stream")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=save, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert storage.read("race/one.bin") in bodies  # one writer's whole file, never a mix

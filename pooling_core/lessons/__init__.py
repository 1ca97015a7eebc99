"""The maths of the lessons, on top of the engine's public functions: convolution and the classic
filters (:mod:`.conv`), receptive fields (:mod:`.receptive`), BlurPool and shifts (:mod:`.blur`),
where PyTorch and TensorFlow put the windows (:mod:`.frameworks`), the quiz's questions
(:mod:`.quiz`), which misconception explains a wrong answer (:mod:`.misconceptions`) and
TextCNN's max-over-time pooling (:mod:`.textcnn`). Their messages are in
:data:`pooling_core.errors.MESSAGES` with the engine's."""

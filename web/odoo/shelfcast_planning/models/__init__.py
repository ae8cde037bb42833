from . import loyalty_program
from . import res_config_settings
